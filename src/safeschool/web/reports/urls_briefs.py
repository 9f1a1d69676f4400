"""The policy briefs' addresses under /reports/ (joined in reports/urls.py)."""

from django.urls import path

from safeschool.web.reports import views_briefs as views

urlpatterns: list = [
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_new, name="brief_new"),
    path("briefs/<slug:slug>/", views.brief_detail, name="brief"),
    path("briefs/<slug:slug>/edit/", views.brief_edit, name="brief_edit"),
    path("briefs/<slug:slug>/publish/", views.brief_publish, name="brief_publish"),
    path("briefs/<slug:slug>/endorse/", views.brief_endorse, name="brief_endorse"),
    path("briefs/<slug:slug>/reach/", views.brief_reach, name="brief_reach"),
    path("briefs/<slug:slug>/<str:fmt>/", views.brief_file, name="brief_file"),
]
