"""The annual reports' addresses under /reports/ (joined in reports/urls.py)."""

from django.urls import path

from safeschool.web.reports import views_annual

urlpatterns: list = [
    path("annual/<int:year>/", views_annual.annual, name="annual"),
    path("annual/<int:year>/<str:fmt>/", views_annual.annual_file, name="annual_file"),
]
