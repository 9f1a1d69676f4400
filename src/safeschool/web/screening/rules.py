"""Who may do what with screening. Student-level screening (lists, a student's screen, follow-ups) is for staff of
that student's school and researchers; models are for researchers and administrators; only researchers train;
each approves in their own role (the service records which); only a school's own staff set its capacity and
write follow-ups. Views only name these permissions; services and selectors check them again."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.research.rules import is_staff_of_school


@rules.predicate
def is_staff_of_students_school(user, student) -> bool:
    if student is None or not user.is_authenticated:
        return False
    return is_staff_of_school(user, student.school_class.school)


rules.add_perm("screening.view_school", is_researcher | (is_school_staff & is_staff_of_school))
rules.add_perm("screening.view_student", is_researcher | (is_school_staff & is_staff_of_students_school))
rules.add_perm("screening.view_models", is_researcher | is_admin)
rules.add_perm("screening.train", is_researcher)
rules.add_perm("screening.approve", is_researcher | is_admin)
rules.add_perm("screening.publish", is_researcher | is_admin)
rules.add_perm("screening.retire", is_researcher | is_admin)
rules.add_perm("screening.score", is_researcher | is_admin)
rules.add_perm("screening.edit_capacity", is_school_staff & is_staff_of_school)
rules.add_perm("screening.add_follow_up", is_school_staff & is_staff_of_students_school)
