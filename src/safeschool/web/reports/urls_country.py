"""The country reports' addresses under /reports/ (joined in reports/urls.py)."""

from django.urls import path

from safeschool.web.reports import views_country

urlpatterns: list = [
    path("countries/<str:code>/", views_country.country, name="country"),
    path("countries/<str:code>/<str:fmt>/", views_country.country_file, name="country_file"),
]
