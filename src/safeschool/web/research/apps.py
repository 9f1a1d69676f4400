from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "safeschool.web.research"
    label = "research"
    verbose_name = "Research registry"
