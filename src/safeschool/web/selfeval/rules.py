"""Who may do what with self-evaluation. A school's staff (an appointment at that school) run its campaigns and
read its report; researchers and administrators read every school's report and the network comparison; members
and visitors see only the questionnaire's structure. Respondents need no account: they hold a one-use code.
Views only name these permissions; services and selectors check them again."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.research.rules import is_staff_of_school

rules.add_perm("selfeval.run_campaign", is_school_staff & is_staff_of_school)
rules.add_perm("selfeval.view_report", (is_school_staff & is_staff_of_school) | is_researcher | is_admin)
rules.add_perm("selfeval.view_network", is_researcher | is_admin)
# action plans (object: the school): its staff write them; researchers and administrators read them
rules.add_perm("selfeval.edit_plan", is_school_staff & is_staff_of_school)
rules.add_perm("selfeval.view_plan", (is_school_staff & is_staff_of_school) | is_researcher | is_admin)
