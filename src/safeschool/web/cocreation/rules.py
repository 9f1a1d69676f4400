"""Who does what in co-creation. Delphi studies and interviews are the research team's (researchers and
administrators); a study's panellists rate it, and a member is interviewed, only while at participation level (c) or
(d) with current consent (the network's predicates), so withdrawing or stepping down stops both at once. A school's
action research cycles belong to that school's staff and the researchers linked to the cycle (they act in their
professional role, not as network members, so no participation level applies).

The services test cocreation.rate and cocreation.interview_member with `rules.has_perm`, not `user.has_perm`: Django
grants superusers every permission, but a member's consent binds whoever acts."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.network.rules import may_give_interview, may_join_delphi, member_of
from safeschool.web.research.rules import is_staff_of_school

is_research_team = is_admin | is_researcher


@rules.predicate
def is_staff_of_cycle_school(user, cycle) -> bool:
    return cycle is not None and is_staff_of_school(user, cycle.school)


@rules.predicate
def is_cycle_researcher(user, cycle) -> bool:
    return cycle is not None and user.is_authenticated and cycle.researchers.filter(pk=user.pk).exists()


@rules.predicate
def is_panellist(user, study) -> bool:
    member = member_of(user)
    return member is not None and study is not None and study.panel.filter(member=member).exists()


@rules.predicate
def interviewee_may_give_interview(user, interviewee) -> bool:
    """The member being interviewed (the object) is at level (c) or (d) with current consent."""
    return interviewee is not None and may_give_interview.test(interviewee.user)


rules.add_perm("cocreation.run_delphi", is_research_team)
# object: the study. Rating includes the rating's comment.
rules.add_perm("cocreation.rate", is_panellist & may_join_delphi)
# object: the interviewee (a Member): scheduling, recording their consent, notes, transcript and coding
rules.add_perm("cocreation.interview_member", is_research_team & interviewee_may_give_interview)
rules.add_perm("cocreation.run_interviews", is_research_team)
# object: the school the cycle is for
rules.add_perm("cocreation.start_par_cycle", is_research_team | is_staff_of_school)
# object: the cycle
rules.add_perm("cocreation.work_on_par_cycle", is_admin | is_staff_of_cycle_school | is_cycle_researcher)
