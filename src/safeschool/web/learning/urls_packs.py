from django.urls import path

from safeschool.web.learning import views_packs

urlpatterns = [
    path("packs/", views_packs.packs, name="packs"),
    path("packs/new/", views_packs.pack_new, name="pack_new"),
    path("packs/<slug:slug>/", views_packs.pack, name="pack"),
    path("packs/<slug:slug>/archive.zip", views_packs.pack_archive, name="pack_archive"),
    path("packs/<slug:slug>/edit/", views_packs.pack_edit, name="pack_edit"),
    path("packs/<slug:slug>/publish/", views_packs.pack_act, {"action": "publish"}, name="pack_publish"),
    path("packs/<slug:slug>/versions/new/", views_packs.pack_act, {"action": "version"}, name="pack_version_new"),
    path("packs/<slug:slug>/items/new/", views_packs.pack_item_new, name="pack_item_new"),
    path("packs/<slug:slug>/items/<str:pk>/<str:part>", views_packs.pack_item_file, name="pack_item_file"),
]
