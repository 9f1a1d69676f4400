from django.urls import path

from safeschool.web.learning import views_cases

urlpatterns = [
    path("cases/", views_cases.cases, name="cases"),
    path("cases/new/", views_cases.case_new, name="case_new"),
    path("cases/<slug:slug>/", views_cases.case, name="case"),
    path("cases/<slug:slug>/edit/", views_cases.case_edit, name="case_edit"),
    path("cases/<slug:slug>/publish/", views_cases.case_publish, name="case_publish"),
]
