"""WSGI entry point (e.g. `gunicorn safeschool.web.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
application = get_wsgi_application()
