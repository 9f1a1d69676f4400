"""Who may see what in the research registry. Views only name these permissions."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff, is_signed_in


@rules.predicate
def is_staff_of_school(user, school) -> bool:
    if school is None or not user.is_authenticated:
        return False
    return school.staff_appointments.filter(user=user).exists()


# Aggregated profiles (every cell of n<10 suppressed) are open to every signed-in user.
rules.add_perm("research.view_school_profile", is_signed_in)
rules.add_perm("research.view_country_overview", is_signed_in)
# Student-level rows: researchers, administrators and that school's own staff only.
rules.add_perm("research.view_school_students", is_admin | is_researcher | (is_school_staff & is_staff_of_school))
