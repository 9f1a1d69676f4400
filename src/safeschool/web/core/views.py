"""The site's own pages: home (the four pillars, and what the feature apps add) and the refusal page."""

from django.conf import settings
from django.shortcuts import render
from django.utils.module_loading import import_string

from safeschool.vocabulary import LEVEL_LABELS, LEVELS, PILLAR_TEXTS, PILLARS

PILLAR_CARDS = [{"level": LEVEL_LABELS[level], "pillar": PILLARS[level], "text": PILLAR_TEXTS[level]}
                for level in LEVELS]


def home(request):
    """The front page. What feature apps add to it comes from the callables settings.HOME_CONTEXT names, so core
    depends on no feature app (the settings are where the apps are put together)."""
    context = {"pillars": PILLAR_CARDS}
    for path in settings.HOME_CONTEXT:
        context |= import_string(path)(request)
    return render(request, "core/home.html", context)


def forbidden(request, exception=None):
    return render(request, "core/403.html", {"reason": str(exception) if exception else ""}, status=403)
