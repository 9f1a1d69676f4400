from django.apps import AppConfig


class CocreationConfig(AppConfig):
    name = "safeschool.web.cocreation"
    label = "cocreation"
    verbose_name = "Co-creation: Delphi studies"
