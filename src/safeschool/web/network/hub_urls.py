from django.urls import path

from safeschool.web.network import hub_views as views

app_name = "hub"
urlpatterns = [
    path("", views.hub_home, name="home"),
    path("c/<slug:slug>/", views.community, name="community"),
    path("c/<slug:slug>/<str:action>/", views.community_membership, name="membership"),
    path("p/<int:pk>/", views.post, name="post"),
    path("report/<str:kind>/<int:pk>/", views.report, name="report"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:pk>/", views.moderate, name="moderate"),
    path("newsletters/", views.newsletters, name="newsletters"),
]
