"""Who reviews: researchers, administrators and network moderators with an active consent."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.network.rules import has_consent, is_member, is_moderator

rules.add_perm("hub.review", is_admin | is_researcher | (is_member & has_consent & is_moderator))
