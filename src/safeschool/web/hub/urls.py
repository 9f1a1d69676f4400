from django.urls import path

from safeschool.web.hub import library_views, views

app_name = "hub"
urlpatterns = [
    # communities
    path("", views.hub_home, name="home"),
    path("c/<slug:slug>/", views.community, name="community"),
    path("c/<slug:slug>/<str:action>/", views.community_membership, name="membership"),
    path("p/<int:pk>/", views.post, name="post"),
    path("report/<str:kind>/<int:pk>/", views.report, name="report"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:pk>/", views.moderate, name="moderate"),
    path("newsletters/", views.newsletters, name="newsletters"),
    # databases
    path("programmes/", library_views.programme_list, name="programmes"),
    path("programmes/<int:pk>/", library_views.programme_detail, name="programme"),
    path("policies/", library_views.policy_list, name="policies"),
    path("library/", library_views.document_list, name="documents"),
    path("practices/", library_views.practice_list, name="practices"),
    path("practices/new/", library_views.practice_new, name="practice_new"),
    path("practices/<int:pk>/", library_views.practice_detail, name="practice"),
    path("wiki/", library_views.wiki_list, name="wiki"),
    path("wiki/new/", library_views.wiki_edit, name="wiki_new"),
    path("wiki/<str:language>/<slug:slug>/", library_views.wiki_page, name="wiki_page"),
    path("wiki/<str:language>/<slug:slug>/edit/", library_views.wiki_edit, name="wiki_edit"),
    path("wiki/<str:language>/<slug:slug>/history/", library_views.wiki_history, name="wiki_history"),
]
