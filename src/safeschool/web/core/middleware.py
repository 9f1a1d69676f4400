"""Security headers (the Content-Security-Policy keeps every request on this server: no CDN, fonts or trackers), and
the page a request gets while the database is unavailable (503, not a 500)."""

import logging
import re

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

log = logging.getLogger("safeschool.database")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    # Vega compiles its expressions with Function(); 'unsafe-eval' allows that and nothing from elsewhere.
    "script-src 'self' 'unsafe-eval'; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


# What "the database is unavailable" looks like: SQLite locked or busy past its timeout, its file unopenable, a disk
# error; PostgreSQL refusing, dropping or shutting down connections. Any other OperationalError (e.g. a missing
# table) is a bug and stays a 500.
UNAVAILABLE = re.compile(
    r"database is locked|database table is locked|busy|unable to open database|disk i/o error|readonly database"
    r"|connection|could not connect|server closed|terminating|shutting down|starting up|recovery mode"
    r"|too many clients|timeout expired|no route to host|network is unreachable", re.IGNORECASE)
RETRY_AFTER = 60  # seconds: what the 503 page and its Retry-After header ask for


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) says the database cannot be reached right now, not that a query is wrong."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, InterfaceError):
            return True
        if isinstance(exc, OperationalError) and UNAVAILABLE.search(str(exc)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def database_unavailable_response() -> HttpResponse:
    """The 503 page: rendered without the request's context (no user menu, no session, no query), so it renders
    while the database is gone; the language is the one LocaleMiddleware activated."""
    response = HttpResponse(loader.get_template("core/503.html").render({"retry_after": RETRY_AFTER}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A request that finds the database unavailable (locked past its timeout, stopped, restarting) gets a 503 page
    asking to try again in a minute, not a 500 with a traceback in the log; the next request connects again
    (Django opens a new connection after a failed one; CONN_HEALTH_CHECKS for PostgreSQL). Views' errors arrive in
    process_exception; those of the middleware after this one (the session, the user) reach core.views.server_error,
    which answers the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        log.warning("database unavailable during %s %s: %s", request.method, request.path,
                    str(exception).splitlines()[0] if str(exception) else type(exception).__name__)
        return database_unavailable_response()
