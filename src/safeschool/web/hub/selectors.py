"""Searching and filtering the Hub databases."""

from django.db.models import Q

from safeschool.web.hub.models import Practice


def filtered(queryset, *, q="", country="", stage="", level="", target_group="", language=""):
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    for field, value in (("country", country), ("level", level), ("target_group", target_group),
                         ("language", language)):
        if value and field in {f.name for f in queryset.model._meta.fields}:
            queryset = queryset.filter(**{field: value})
    rows = list(queryset[:500])
    if stage:  # a JSON list: filtered here so that SQLite and PostgreSQL behave the same
        rows = [r for r in rows if stage in (r.stages or [])]
    return rows


def practices_visible(user):
    """Accepted practices for everyone; the author's own and, for reviewers, those awaiting review."""
    member = getattr(user, "member", None)
    visible = Q(status=Practice.Status.ACCEPTED)
    if member is not None:
        visible |= Q(submitted_by=member)
    if user.has_perm("hub.review"):
        visible |= Q(status=Practice.Status.SUBMITTED)
    return Practice.objects.filter(visible).select_related("submitted_by")
