from django.urls import path

from safeschool.web.network import views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("me/", views.me, name="me"),
    path("me/consent/<str:kind>/<str:action>/", views.consent, name="consent"),
    path("me/export/", views.export, name="export"),
    path("me/erase/", views.erase, name="erase"),
    path("members/", views.members, name="members"),
]
