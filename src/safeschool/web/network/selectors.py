"""Read-only queries for the network pages."""

from django.db.models import Count, Q

from safeschool.web.network.models import ConsentText, Member, StakeholderType


def directory(*, q: str = "", stakeholder_type: str = "", country: str = "", topic: str = "") -> list[dict]:
    """Members who opted in, with only the fields each chose to show. Filters only match shown fields, so a
    filter cannot reveal a hidden country, type or topic."""
    members = Member.objects.filter(in_directory=True, user__is_active=True)
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


def network_counts() -> dict:
    """Members by stakeholder type (groups under 10 shown as n<10)."""
    counts = dict(Member.objects.filter(user__is_active=True).values_list("stakeholder_type").annotate(n=Count("id")))
    return {"total": sum(counts.values()),
            "by_type": [(label, counts.get(value, 0)) for value, label in StakeholderType.choices],
            "countries": Member.objects.filter(user__is_active=True).values("country").distinct().count()}


def consent_status(member: Member) -> dict:
    active = {c.text.kind: c for c in member.consents.select_related("text") if c.withdrawn_at is None}
    return {"membership": active.get(ConsentText.Kind.MEMBERSHIP), "parental": active.get(ConsentText.Kind.PARENTAL),
            "history": list(member.consents.select_related("text")), "needs_parent": member.is_minor,
            "writing_allowed": ConsentText.Kind.MEMBERSHIP in active and (
                not member.is_minor or ConsentText.Kind.PARENTAL in active)}


def active_members() -> Q:
    return Q(user__is_active=True)
