from django.urls import path

from safeschool.web.interventions import views_impact as views

urlpatterns: list = [
    path("trials/<int:pk>/allocation/", views.allocation, name="allocation"),
    path("trials/<int:pk>/impact/", views.impact, name="impact"),
    path("impact/<int:pk>/", views.impact_run, name="impact_run"),
    path("trials/<int:pk>/complete/", views.trial_complete, name="trial_complete"),
    path("trials/<int:pk>/report.pdf", views.trial_report_pdf, name="trial_report_pdf"),
]
