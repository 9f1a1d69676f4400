"""Who may do what with case studies and resource packs. Everyone, visitors included, reads published case studies
and packs. Researchers and administrators write and publish both; a school's staff may propose a draft case study
about their own school (and edit it while it is a draft). Views only name these permissions; services check them
again. (Loaded by selectors_cases, which every case and pack module imports.)"""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.research.rules import is_staff_of_school


@rules.predicate
def is_published(user, obj) -> bool:
    return obj is not None and obj.published_at is not None


@rules.predicate
def is_staff_of_case_school(user, case) -> bool:
    return case is not None and case.school_id is not None and is_staff_of_school(user, case.school)


@rules.predicate
def staff_of_this_school(user, school) -> bool:
    return school is not None and is_staff_of_school(user, school)


is_editor = is_researcher | is_admin

rules.add_perm("learning.write_cases", is_editor | is_school_staff)  # the "new case study" page
rules.add_perm("learning.propose_case", is_editor | (is_school_staff & staff_of_this_school))  # object: school
rules.add_perm("learning.edit_case", is_editor | (is_school_staff & is_staff_of_case_school & ~is_published))
rules.add_perm("learning.publish_case", is_editor)
rules.add_perm("learning.view_case", is_published | is_editor | (is_school_staff & is_staff_of_case_school))
rules.add_perm("learning.manage_packs", is_editor)
rules.add_perm("learning.view_pack", is_published | is_editor)
