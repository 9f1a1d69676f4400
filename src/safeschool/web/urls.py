from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from safeschool.web.accounts.views import admin_login, set_language
from safeschool.web.learning.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("safeschool.web.core.urls")),
    path("accounts/", include("safeschool.web.accounts.urls")),
    path("schools/imports/", include("safeschool.web.imports.urls")),
    path("schools/", include("safeschool.web.research.urls")),
    path("analysis/", include("safeschool.web.analysis.urls")),
    path("network/", include("safeschool.web.network.urls")),
    path("hub/", include("safeschool.web.hub.urls")),
    path("cocreation/", include("safeschool.web.cocreation.urls")),
    path("screening/", include("safeschool.web.screening.urls")),
    path("selfeval/", include("safeschool.web.selfeval.urls")),
    path("label/", include("safeschool.web.label.urls")),
    path("interventions/", include("safeschool.web.interventions.urls")),
    path("recs/", include("safeschool.web.recs.urls")),
    path("learning/", include("safeschool.web.learning.urls")),
    path("indicators/", include("safeschool.web.indicators.urls")),
    path("reports/", include("safeschool.web.reports.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),  # the public pages (learning.sitemaps)
    path("i18n/setlang/", set_language, name="set_language"),  # Django's, also saving a signed-in member's choice
    path("admin/login/", admin_login),  # the admin's own login view, throttled like the site's (before admin.site.urls)
    path("admin/", admin.site.urls),
]

handler403 = "safeschool.web.core.views.forbidden"
handler404 = "safeschool.web.core.views.not_found"
handler500 = "safeschool.web.core.views.server_error"
