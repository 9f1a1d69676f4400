"""Who may do what with the state-of-the-art report. Researchers and administrators make a version (which snapshots
the generated figures), write its narrative and publish it; every signed-in user reads published versions under
/recs/, and visitors read them on the public site (/learning/reports/<version>/). A version not yet published is
seen by researchers and administrators only. Views only name these permissions; services check them again.
(Loaded by selectors_report, which every report module imports.)"""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher


@rules.predicate
def is_published(user, report) -> bool:
    return report is not None and report.published_at is not None


is_editor = is_researcher | is_admin

rules.add_perm("recs.manage_report", is_editor)                               # make, edit, publish a version
rules.add_perm("recs.view_report", is_editor | (rules.is_authenticated & is_published))
rules.add_perm("recs.view_public_report", is_published)                       # anyone, a visitor too
