"""The site reports' addresses under /reports/ (joined in reports/urls.py)."""

from django.urls import path

from safeschool.web.reports import views_site

urlpatterns: list = [
    path("", views_site.index, name="index"),
]
