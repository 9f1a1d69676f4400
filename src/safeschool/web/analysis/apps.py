from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "safeschool.web.analysis"
    label = "analysis"
    verbose_name = "Analyses"

    def ready(self):
        from safeschool.web.analysis import labels
        from safeschool.web.analysis.services import OUTCOMES
        from safeschool.web.core import formatting

        formatting.register("model_level", labels.MODEL_LEVELS)
        formatting.register("maihda_model", labels.MAIHDA_MODELS)
        formatting.register("model_family", labels.FAMILIES)
        formatting.register("outcome", OUTCOMES)
