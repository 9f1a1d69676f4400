from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "safeschool.web.analysis"
    label = "analysis"
    verbose_name = "Analyses"
