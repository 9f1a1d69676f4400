"""Read-only queries for the import pages."""

from django.db.models import Count, QuerySet

from safeschool.instruments.registry import TRANSLATION_STATUSES, registry
from safeschool.web.core.languages import language_name
from safeschool.web.imports.models import ImportBatch, ItemText, SurveyResponse


def instrument_overview() -> list[dict]:
    """Every registry instrument with its structure, the languages with attached item texts, the wording it
    publishes per language by translation status, and how many imported responses the database holds."""
    texts: dict[str, dict[str, int]] = {}
    for row in ItemText.objects.values("instrument", "language").annotate(n=Count("id")):
        texts.setdefault(row["instrument"], {})[row["language"]] = row["n"]
    responses = dict(SurveyResponse.objects.values_list("instrument").annotate(n=Count("id")))
    out = []
    for ins in sorted(registry().values(), key=lambda i: i.code):
        out.append({
            "instrument": ins, "reverse": [i.rsplit("_", 1)[1] for i in ins.reverse],
            "scales": [{"scale": s, "items": "all" if s.items == ins.items else
                        ", ".join(i.rsplit("_", 1)[1] for i in s.items)} for s in ins.scales],
            "texts": [(lang, texts.get(ins.code, {}).get(lang, 0)) for lang in ins.languages],
            "wording": [{"language": lang, "name": language_name(lang),
                         "counts": [counts.get(s, 0) for s in ("source", *TRANSLATION_STATUSES, "missing")]}
                        for lang, counts in ins.coverage().items()],
            "responses": responses.get(ins.code, 0)})
    return out


def import_batch_list(*, limit: int = 50) -> QuerySet:
    """Past imports, newest first."""
    return ImportBatch.objects.select_related("created_by")[:limit]


def import_batch_latest_applied() -> ImportBatch | None:
    """The most recent import still applied: the only one that can be undone."""
    return ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).order_by("-created_at", "-pk").first()
