from django.urls import path

from safeschool.web.learning import views_handbook as handbook
from safeschool.web.learning import views_site as site
from safeschool.web.learning.feeds import OutputsFeed
from safeschool.web.recs.views_report import public_report, public_report_pdf

urlpatterns = [
    path("", site.home, name="home"),
    path("feed.atom", OutputsFeed(), name="feed"),
    path("reports/<int:version>/", public_report, name="public_report"),
    path("reports/<int:version>/report.pdf", public_report_pdf, name="public_report_pdf"),
    path("handbook/", handbook.handbook, name="handbook"),
    path("handbook/edit/", handbook.handbook_edit, name="handbook_edit"),
    path("handbook/<int:version>/<str:lang>/", handbook.handbook_version, name="handbook_version"),
    path("handbook/<int:version>/<str:lang>/handbook.pdf", handbook.handbook_pdf, name="handbook_pdf"),
    path("handbook/<int:version>/<str:lang>/handbook.epub", handbook.handbook_epub, name="handbook_epub"),
    path("handbook/<int:version>/<str:lang>/edit/", handbook.handbook_draft, name="handbook_draft"),
    path("handbook/<int:version>/<str:lang>/publish/", handbook.handbook_publish, name="handbook_publish"),
]
