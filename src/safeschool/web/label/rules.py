"""Who may do what with the Safe School Label. Everyone, visitors included, reads the criteria, the public register
and the verification page. A school's staff (an appointment there) apply and upload evidence. Reviewers are
researchers, or network members at participation level (c) or (d) with current consent whom an administrator has
put in the reviewer pool (the level is self-declared on the join form, so it alone cannot make a reviewer), and
never review a school they are appointed at nor an application they made. Administrators decide and may revoke. Views only name these
permissions; services check them again."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.network.rules import has_consent, is_member, level_c
from safeschool.web.research.rules import is_staff_of_school

OPEN = ("submitted", "under_review")
REVIEWER_GROUP = "label reviewers"  # the Django group administrators put vetted members in (services.reviewer_pool_*)


@rules.predicate
def in_reviewer_pool(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=REVIEWER_GROUP).exists()


@rules.predicate
def is_staff_of_application_school(user, application) -> bool:
    return application is not None and is_staff_of_school(user, application.school)


@rules.predicate
def is_appointed_at_application_school(user, application) -> bool:
    """Appointed at the school in any role: a researcher who works there does not review it either."""
    return (application is not None and user.is_authenticated
            and application.school.staff_appointments.filter(user=user).exists())


@rules.predicate
def is_applicant(user, application) -> bool:
    return application is not None and user.is_authenticated and application.submitted_by_id == user.pk


@rules.predicate
def is_open(user, application) -> bool:
    return application is not None and application.status in OPEN


@rules.predicate
def reviewed_it(user, application) -> bool:
    return application is not None and user.is_authenticated and application.reviews.filter(reviewer=user).exists()


@rules.predicate
def is_staff_of_award_school(user, award) -> bool:
    return award is not None and is_staff_of_school(user, award.school)


@rules.predicate
def is_current_award(user, award) -> bool:
    return award is not None and award.is_current()


is_label_reviewer = is_researcher | (is_member & has_consent & level_c & in_reviewer_pool)
may_review_this = is_label_reviewer & ~is_appointed_at_application_school & ~is_applicant
is_school_team = is_school_staff & is_staff_of_school

rules.add_perm("label.apply", is_school_team)  # object: the school
rules.add_perm("label.apply_any", is_school_staff)
rules.add_perm("label.review_any", is_label_reviewer)
# object: the application
# a reviewer opens an application while it is under way, or afterwards one they reviewed (not every finished one)
rules.add_perm("label.view_application", is_admin | (is_school_staff & is_staff_of_application_school)
               | (may_review_this & (is_open | reviewed_it)))
rules.add_perm("label.upload_evidence", is_school_staff & is_staff_of_application_school & is_open)
rules.add_perm("label.review", may_review_this & is_open)
rules.add_perm("label.decide", is_admin)
rules.add_perm("label.view_all_applications", is_admin)
# object: the award. A current award's certificate is public (the register links its verification page).
rules.add_perm("label.view_certificate", is_current_award | is_admin | (is_school_staff & is_staff_of_award_school))
rules.add_perm("label.revoke", is_admin)
rules.add_perm("label.manage_reviewers", is_admin)
