"""The site's own pages: home (the four pillars, and what the feature apps add), the error pages and the health
check for monitors."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache

from safeschool.vocabulary import LEVEL_LABELS, LEVELS, PILLAR_TEXTS, PILLARS
from safeschool.web.core.middleware import database_unavailable, database_unavailable_response

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


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def server_error(request):
    """Rendered without the request's context: whatever broke (the database, a context processor) must not break
    the error page too. The database found unavailable by a middleware (the session, the user) gets the 503 page."""
    if database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template("core/500.html").render({}))


def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page says; send them to the site's icon."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


@never_cache
def healthz(request):
    """For monitors: 200 when the server answers and the database does, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logging.getLogger("safeschool.health").error("health check: the database is unreachable (%s)", exc)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
