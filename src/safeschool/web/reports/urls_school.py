"""The school reports' addresses under /reports/ (joined in reports/urls.py)."""

from django.urls import path

from safeschool.web.reports import views_school

urlpatterns: list = [
    path("schools/<int:pk>/", views_school.school, name="school"),
    path("schools/<int:pk>/<str:fmt>/", views_school.school_file, name="school_file"),
]
