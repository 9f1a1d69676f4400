from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "safeschool.web.imports"
    label = "imports"
    verbose_name = "Data imports"
