"""Who may do what in the Hub. Reading, posting, sharing, submitting practices and sending newsletters follow the
network's participation levels and consent (network/rules.py: network.view_directory, network.post_in_community,
network.share_item, network.submit_practice, network.moderate); what is the Hub's own is here: reviewing the
databases and moderating communities."""

import rules

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.network.rules import has_consent, is_member, is_moderator, member_of


@rules.predicate
def moderates_this_community(user, community) -> bool:
    """One of the community's own moderators (Community.moderators)."""
    member = member_of(user)
    return member is not None and community is not None and community.moderators.filter(pk=member.pk).exists()


@rules.predicate
def joined_this_community(user, community) -> bool:
    """A member of the community (Community.members): joined it, or was joined by the demo."""
    member = member_of(user)
    return member is not None and community is not None and community.members.filter(pk=member.pk).exists()


@rules.predicate
def moderates_a_community(user) -> bool:
    member = member_of(user)
    return member is not None and member.moderates.exists()


@rules.predicate
def is_awaiting_review(user, practice) -> bool:
    return practice is not None and practice.status == practice.Status.SUBMITTED


@rules.predicate
def is_practice_author(user, practice) -> bool:
    member = member_of(user)
    return member is not None and practice is not None and practice.submitted_by_id == member.pk


is_reviewer = is_admin | is_researcher | (is_member & has_consent & is_moderator)

# the databases: researchers, administrators and network moderators with consent review practices and programmes
rules.add_perm("hub.review", is_reviewer)
rules.add_perm("hub.curate", is_admin | is_researcher)  # adding programmes and policies
rules.add_perm("hub.review_practice", is_reviewer & is_awaiting_review & ~is_practice_author)  # the practice
rules.add_perm("hub.view_practice_reviews", is_reviewer | is_practice_author)  # the practice
# communities: network moderators everywhere, a community's moderators there, always with consent
can_moderate_community = is_admin | (has_consent & (is_moderator | moderates_this_community))
rules.add_perm("hub.moderate_community", can_moderate_community)
# writing a post in a community: its members, and whoever moderates it; the participation level and consent needed
# for posting at all are network.post_in_community's (checked too)
rules.add_perm("hub.write_in_community", joined_this_community | can_moderate_community)
rules.add_perm("hub.view_moderation_queue", is_admin | (is_moderator & has_consent) | moderates_a_community)
