"""Who may do what with interventions and trials. Views only name these permissions; services check them again.

- Reading the registry, trials, locked protocols and impact results (aggregates, n<10 suppressed): every
  signed-in user.
- Registering an intervention: members co-producing at level (c) or above with current consent, school staff,
  researchers and administrators. Editing it (and adding co-producers, logic-model items and versions): whoever
  registered it, its co-producing members (with current consent), researchers and administrators.
- Designing a trial, locking its protocol, recording deviations, running the allocation and the impact
  analysis: researchers and administrators.
- Which school or class got which arm: researchers, administrators, and the staff of that school for its own
  units; everyone else sees counts per arm.
"""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff, is_signed_in
from safeschool.web.network.rules import has_consent, is_member, level_c, member_of
from safeschool.web.research.rules import is_staff_of_school


@rules.predicate
def registered_it(user, intervention) -> bool:
    return intervention is not None and user.is_authenticated and intervention.created_by_id == user.pk


@rules.predicate
def coproduces_it(user, intervention) -> bool:
    member = member_of(user)
    return member is not None and intervention is not None and intervention.coproducers.filter(member=member).exists()


may_coproduce = is_member & has_consent & level_c

rules.add_perm("interventions.view", is_signed_in)
rules.add_perm("interventions.add_intervention", may_coproduce | is_school_staff | is_researcher | is_admin)
# a member who withdrew consent may read but no longer edit, even what they registered
rules.add_perm("interventions.edit_intervention",
               (registered_it & (has_consent | ~is_member)) | (coproduces_it & has_consent) | is_researcher | is_admin)
rules.add_perm("interventions.design_trial", is_researcher | is_admin)
rules.add_perm("interventions.run_impact", is_researcher | is_admin)
rules.add_perm("interventions.view_all_arms", is_researcher | is_admin)
# object: a school — its staff see the arm of their own school's units
rules.add_perm("interventions.view_school_arms", is_researcher | is_admin | (is_school_staff & is_staff_of_school))
