"""/recs/report/: the state-of-the-art report's versions (H3)."""

from django.urls import path

from safeschool.web.recs import views_report as views

urlpatterns: list = [
    path("report/", views.report_list, name="reports"),
    path("report/new/", views.report_new, name="report_new"),
    path("report/<int:version>/", views.report_detail, name="report"),
    path("report/<int:version>/report.pdf", views.report_pdf, name="report_pdf"),
    path("report/<int:version>/edit/", views.report_edit, name="report_edit"),
    path("report/<int:version>/publish/", views.report_publish, name="report_publish"),
]
