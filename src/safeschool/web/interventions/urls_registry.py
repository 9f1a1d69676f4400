"""The registry's addresses (namespace `interventions`, joined in urls.py)."""

from django.urls import path

from safeschool.web.interventions import views_registry as views

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.intervention_new, name="intervention_new"),
    path("<int:pk>/", views.intervention, name="intervention"),
    path("<int:pk>/edit/", views.intervention_edit, name="intervention_edit"),
    path("<int:pk>/logic/", views.logic_edit, name="logic_edit"),
    path("<int:pk>/coproducers/new/", views.coproducer_add, name="coproducer_add"),
    path("<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
]
