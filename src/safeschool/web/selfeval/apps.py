from django.apps import AppConfig


class SelfEvalConfig(AppConfig):
    """School self-evaluation: campaigns, the school report, recommendations and action plans. Reads the research
    registry, the Hub's programmes and practices and co-creation's PAR cycles; the label app reads it."""

    name = "safeschool.web.selfeval"
    label = "selfeval"
    verbose_name = "School self-evaluation"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.selfeval.models import ActionStatus, Informant, PlanStatus

        formatting.register("informant", Informant.choices)
        formatting.register("plan_status", PlanStatus.choices)
        formatting.register("action_status", ActionStatus.choices)
