"""Who may do what with RECs, partnerships and the partnership survey. Every signed-in user reads RECs and
partnerships (without referral counts); the monthly referral counts are for the school's own staff, the REC's own
staff (a RecStaff entry linked to the user's network profile, with the member's consent active) and researchers and
administrators. Researchers and administrators manage RECs, partnerships and survey waves; school staff answer the
school side of the survey and the needs form for their own school; the REC's staff answer the REC side.
Views only name these permissions; services and selectors check them again."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff, is_signed_in
from safeschool.web.network.rules import has_consent, member_of
from safeschool.web.research.rules import is_staff_of_school


@rules.predicate
def is_staff_of_rec(user, rec) -> bool:
    """The user's network profile is on this REC's staff list, and the member's consent is active (a member who
    withdrew it keeps the listing, the professional contact, but no longer acts for the REC)."""
    member = member_of(user)
    if member is None or rec is None or not has_consent(user):
        return False
    return rec.staff.filter(member=member).exists()


@rules.predicate
def is_partner_school_staff(user, partnership) -> bool:
    return partnership is not None and is_school_staff(user) and is_staff_of_school(user, partnership.school)


@rules.predicate
def is_partner_rec_staff(user, partnership) -> bool:
    return partnership is not None and is_staff_of_rec(user, partnership.rec)


manager = is_researcher | is_admin

rules.add_perm("recs.view", is_signed_in)
rules.add_perm("recs.manage", manager)  # RECs' profiles and staff, partnerships, survey waves
# object: a partnership
rules.add_perm("recs.view_referrals", is_partner_school_staff | is_partner_rec_staff | manager)
rules.add_perm("recs.add_referrals", is_partner_school_staff | manager)
rules.add_perm("recs.add_meeting", is_partner_school_staff | is_partner_rec_staff | manager)
rules.add_perm("recs.answer_school_side", is_partner_school_staff)
rules.add_perm("recs.answer_rec_side", is_partner_rec_staff)
# object: a school
rules.add_perm("recs.answer_needs", is_school_staff & is_staff_of_school)
