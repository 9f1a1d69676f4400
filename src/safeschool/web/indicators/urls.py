"""/indicators/: public pages of the official early-leaving series against the EU targets."""

from django.urls import path

from safeschool.web.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_release, name="import"),
    path("releases/<int:pk>/", views.release, name="release"),
    path("<str:code>/", views.country, name="country"),
]
