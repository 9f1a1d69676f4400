from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "safeschool.web.network"
    label = "network"
    verbose_name = "Stakeholder network"
