"""Trial design, power and the protocol (owner: the trials pages; names in /tmp/h17/contract.md)."""

from django.urls import path

from safeschool.web.interventions import views_trials as views

urlpatterns = [
    path("trials/", views.trial_list, name="trials"),
    path("<int:pk>/trials/new/", views.trial_new, name="trial_new"),
    path("trials/<int:pk>/", views.trial_detail, name="trial"),
    path("trials/<int:pk>/edit/", views.trial_edit, name="trial_edit"),
    path("trials/<int:pk>/power/", views.trial_power, name="trial_power"),
    path("power/", views.power, name="power"),
    path("trials/<int:pk>/protocol/", views.protocol, name="protocol"),
    path("trials/<int:pk>/protocol/lock/", views.protocol_lock, name="protocol_lock"),
    path("trials/<int:pk>/protocol.json", views.protocol_json, name="protocol_json"),
    path("trials/<int:pk>/deviations/new/", views.deviation_new, name="deviation_new"),
]
