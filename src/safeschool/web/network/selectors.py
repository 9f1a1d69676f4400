"""Read-only queries for the network pages."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from safeschool.web.network import personal_data
from safeschool.web.network.models import ADULT_AGE, ConsentRecord, ConsentText, Member, StakeholderType


def directory(*, q: str = "", stakeholder_type: str = "", country: str = "", topic: str = "") -> list[dict]:
    """Members who opted in and whose consent is current (withdrawing takes a member out at once), with only the
    fields each chose to show. Filters only match shown fields, so a filter cannot reveal a hidden country, type or
    topic."""
    members = Member.objects.filter(consenting(), in_directory=True, user__is_active=True)
    if q:
        members = members.filter(display_name__icontains=q)
    if stakeholder_type:
        members = members.filter(show_type=True, stakeholder_type=stakeholder_type)
    if country:
        members = members.filter(show_country=True, country=country)
    rows = []
    for m in members.order_by("display_name")[:500]:
        if topic and not (m.show_topics and topic in m.topics):
            continue
        rows.append({"name": m.display_name,
                     "organisation": m.organisation if m.show_organisation else "",
                     "country": m.get_country_display() if m.show_country else "",
                     "type": m.get_stakeholder_type_display() if m.show_type else "",
                     "topics": m.topics if m.show_topics else []})
    return rows


def consenting() -> Q:
    """Members whose membership consent is active and, under 16, whose parent's consent is too (the database side
    of network.rules.has_consent, for lists)."""
    def active(kind):
        return Exists(ConsentRecord.objects.filter(member=OuterRef("pk"), text__kind=kind, withdrawn_at__isnull=True))

    adult = Q(birth_year__lte=timezone.localdate().year - ADULT_AGE)
    return Q(active(ConsentText.Kind.MEMBERSHIP)) & (adult | Q(active(ConsentText.Kind.PARENTAL)))


def network_counts() -> dict:
    """Members by stakeholder type (groups under 10 shown as n<10)."""
    counts = dict(Member.objects.filter(user__is_active=True).values_list("stakeholder_type").annotate(n=Count("id")))
    return {"total": sum(counts.values()),
            "by_type": [(label, counts.get(value, 0)) for value, label in StakeholderType.choices],
            "countries": Member.objects.filter(user__is_active=True).values("country").distinct().count()}


def consent_text_current(kind: str, language: str = "en") -> ConsentText:
    """The latest version of a consent text in a language, else in English (the first versions are made after
    `migrate`: receivers.py)."""
    texts = ConsentText.objects.filter(kind=kind).order_by("-version")
    return texts.filter(language=language).first() or texts.filter(language="en").latest("version")


def consent_status(member: Member) -> dict:
    active = {c.text.kind: c for c in member.consents.select_related("text") if c.withdrawn_at is None}
    return {"membership": active.get(ConsentText.Kind.MEMBERSHIP), "parental": active.get(ConsentText.Kind.PARENTAL),
            "history": list(member.consents.select_related("text")), "needs_parent": member.is_minor,
            "writing_allowed": ConsentText.Kind.MEMBERSHIP in active and (
                not member.is_minor or ConsentText.Kind.PARENTAL in active)}


def active_members() -> Q:
    return Q(user__is_active=True)


def member_export(*, user) -> dict:
    """Everything the platform holds about a member, as JSON-ready data: the account, profile, level history and
    consents here, and each app's part (posts, comments, reports, wiki revisions, practices, ratings with comments,
    interviews, community memberships, ...) from the member_export signal (network/personal_data.py)."""
    member = user.member
    data = {
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "account": {"username": user.username, "email": user.email, "date_joined": user.date_joined.isoformat(),
                    "last_login": user.last_login.isoformat() if user.last_login else None},
        "profile": {f: getattr(member, f) for f in (
            "display_name", "stakeholder_type", "sector", "country", "organisation", "languages", "topics", "level",
            "birth_year", "moderator", "notify", "newsletters", "in_directory", "show_organisation", "show_country", "show_type",
            "show_topics")} | {"joined_at": member.joined_at.isoformat()},
        "level_changes": [{"from": c.before, "to": c.after, "at": c.changed_at.isoformat()}
                          for c in member.level_changes.all()],
        "consents": [{"kind": c.text.kind, "version": c.text.version, "language": c.text.language,
                      "text": c.text.body, "method": c.method, "given_by": c.given_by,
                      "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in member.consents.select_related("text")],
    }
    for _, part in personal_data.member_export.send(sender=Member, member=member):
        data |= part
    return data


def members_by_country() -> dict[str, int]:
    """Active members whose consent is current, per country code (the home page's picture of the network; it
    shows fewer than MIN_CELL members as such). Withdrawing consent takes a member off the map at once."""
    return dict(Member.objects.filter(active_members(), consenting()).exclude(country="").values_list("country")
                .annotate(n=Count("id")).order_by("country"))
