from django.shortcuts import render

from safeschool.vocabulary import LEVEL_LABELS, LEVELS, PILLAR_TEXTS
from safeschool.vocabulary import PILLARS as PILLARS_BY_LEVEL
from safeschool.web.research import selectors

PILLARS = [{"level": LEVEL_LABELS[level], "pillar": PILLARS_BY_LEVEL[level], "text": PILLAR_TEXTS[level]}
           for level in LEVELS]


def home(request):
    return render(request, "core/home.html", {
        "pillars": PILLARS,
        "totals": selectors.network_totals(),
        "simulated": selectors.cohort_is_simulated(),
    })


def forbidden(request, exception=None):
    return render(request, "core/403.html", {"reason": str(exception) if exception else ""}, status=403)
