from django.urls import path

from safeschool.web.library import views

app_name = "library"
urlpatterns = [
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("policies/", views.policy_list, name="policies"),
    path("library/", views.document_list, name="documents"),
    path("practices/", views.practice_list, name="practices"),
    path("practices/new/", views.practice_new, name="practice_new"),
    path("practices/<int:pk>/", views.practice_detail, name="practice"),
    path("wiki/", views.wiki_list, name="wiki"),
    path("wiki/new/", views.wiki_edit, name="wiki_new"),
    path("wiki/<str:language>/<slug:slug>/", views.wiki_page, name="wiki_page"),
    path("wiki/<str:language>/<slug:slug>/edit/", views.wiki_edit, name="wiki_edit"),
    path("wiki/<str:language>/<slug:slug>/history/", views.wiki_history, name="wiki_history"),
]
