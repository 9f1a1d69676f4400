from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "safeschool.web.library"
    label = "library"
    verbose_name = "Hub databases"
