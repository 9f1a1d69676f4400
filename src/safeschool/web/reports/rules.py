"""Who may read and write which report. Views only name these permissions; services check them again.

- A school's profile report (it holds the school's self-evaluation results and action plan): the school's staff,
  researchers and administrators.
- A country's profile report: every signed-in user (as the country pages under /schools/countries/).
- Policy briefs: researchers and administrators write and publish them; a published brief is public; advocates
  (network level d, with current consent) endorse a published brief and see its reach, as its editors do.
- The network's annual report: public.
"""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff, is_signed_in
from safeschool.web.network.rules import has_consent, is_member, level_d
from safeschool.web.research.rules import is_staff_of_school


@rules.predicate
def is_published(user, brief) -> bool:
    return brief is not None and brief.status == "published"


is_editor = is_researcher | is_admin
is_advocate = is_member & has_consent & level_d

rules.add_perm("reports.view_school_report", is_admin | is_researcher | (is_school_staff & is_staff_of_school))
rules.add_perm("reports.view_country_report", is_signed_in)
rules.add_perm("reports.manage_briefs", is_editor)                       # write, edit a draft, publish
rules.add_perm("reports.view_brief", is_editor | is_published)           # a draft: its editors only
rules.add_perm("reports.endorse_brief", is_advocate & is_published)
rules.add_perm("reports.view_brief_reach", is_editor | (is_advocate & is_published))
rules.add_perm("reports.view_annual_report", rules.always_allow)
