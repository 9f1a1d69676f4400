from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeschool.web.core"
    label = "core"
    verbose_name = "Core"
