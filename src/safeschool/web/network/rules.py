"""What each participation level may do. Levels include the ones before them (a < b < c < d). Anything beyond
reading needs an active membership consent and, for members under 16, an active parental consent."""

import rules
from django.utils.translation import gettext

from safeschool.web.accounts.rules import is_admin, is_signed_in


def member_of(user):
    return getattr(user, "member", None) if user and user.is_authenticated else None


@rules.predicate
def is_member(user) -> bool:
    return member_of(user) is not None


@rules.predicate
def has_consent(user) -> bool:
    member = member_of(user)
    if member is None:
        return False
    kinds = {c.text.kind for c in member.consents.select_related("text") if c.withdrawn_at is None}
    if "membership" not in kinds:
        return False
    return "parental" in kinds or not member.is_minor


def _level(minimum: str):
    @rules.predicate(name=f"level_{minimum}_or_above")
    def at_least(user) -> bool:
        member = member_of(user)
        return member is not None and member.level >= minimum

    return at_least


level_b, level_c, level_d = _level("b"), _level("c"), _level("d")
# co-creation (Delphi panels, interviews): level (c) or (d) with current consent; composed into cocreation.rules
may_join_delphi = is_member & has_consent & level_c
may_give_interview = is_member & has_consent & level_c


@rules.predicate
def is_moderator(user) -> bool:
    member = member_of(user)
    return bool(member and member.moderator)


# reading: every signed-in user
rules.add_perm("network.view_directory", is_signed_in)
rules.add_perm("network.edit_profile", is_member)
# (a) recipient of information: newsletters, and taking part in community discussions
rules.add_perm("network.receive_newsletter", is_member & has_consent)
rules.add_perm("network.post_in_community", (is_member & has_consent) | is_admin)
# (b) contributor to dissemination
rules.add_perm("network.share_item", (is_member & has_consent & level_b) | is_admin)
# (c) active participant in co-creation and participatory action research
rules.add_perm("network.submit_practice", (is_member & has_consent & level_c) | is_admin)
rules.add_perm("network.join_delphi", may_join_delphi)
rules.add_perm("network.give_interview", may_give_interview)
# (d) advocate for policy and action
rules.add_perm("network.endorse_advocacy", is_member & has_consent & level_d)
# moderation and consent texts
rules.add_perm("network.moderate", (is_moderator & has_consent) | is_admin)
rules.add_perm("network.manage_consent_texts", is_admin)
rules.add_perm("network.appoint_moderators", is_admin)  # network moderators and a community's moderators

LEVEL_PERMISSIONS = {  # documentation and tests: the lowest level that grants each member permission
    "network.receive_newsletter": "a", "network.post_in_community": "a", "network.share_item": "b",
    "network.submit_practice": "c", "network.join_delphi": "c", "network.give_interview": "c",
    "network.endorse_advocacy": "d",
}


def refusal(user, minimum: str = "a") -> str:
    """Why this user may not act at participation level `minimum` now, as a short phrase ("" when they may), for
    refused pages and services to say what to change on My profile."""
    member = member_of(user)
    if member is None:
        return gettext("no network profile")
    active = {c.text.kind for c in member.consents.select_related("text") if c.withdrawn_at is None}
    if "membership" not in active:
        return gettext("consent to the membership terms withdrawn")
    if member.is_minor and "parental" not in active:
        return gettext("a parent's or guardian's consent not recorded")
    if member.level < minimum:
        allowed = [f"({level})" for level in "abcd" if level >= minimum]
        wanted = allowed[0] if len(allowed) == 1 else gettext("%(levels)s or %(last)s") % {
            "levels": ", ".join(allowed[:-1]), "last": allowed[-1]}
        return gettext("participation level (%(level)s); level %(wanted)s is needed") % {"level": member.level, "wanted": wanted}
    return ""
