"""Who does what in co-creation. Delphi studies and interviews are the research team's (researchers and
administrators); panellists rate (checked per study in the services); a school's action research cycles belong to
that school's staff and the researchers linked to the cycle."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.research.rules import is_staff_of_school

is_research_team = is_admin | is_researcher


@rules.predicate
def is_staff_of_cycle_school(user, cycle) -> bool:
    return cycle is not None and is_staff_of_school(user, cycle.school)


@rules.predicate
def is_cycle_researcher(user, cycle) -> bool:
    return cycle is not None and user.is_authenticated and cycle.researchers.filter(pk=user.pk).exists()


rules.add_perm("cocreation.run_delphi", is_research_team)
rules.add_perm("cocreation.run_interviews", is_research_team)
# object: the school the cycle is for
rules.add_perm("cocreation.start_par_cycle", is_research_team | is_staff_of_school)
# object: the cycle
rules.add_perm("cocreation.work_on_par_cycle", is_admin | is_staff_of_cycle_school | is_cycle_researcher)
