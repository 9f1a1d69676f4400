from django.apps import AppConfig


class LabelConfig(AppConfig):
    """The Safe School Label: applications, two-reviewer assessment, awards, certificates and the public register.
    Reads self-evaluation (campaigns, action plans) and co-creation (PAR cycles); nothing reads it back."""

    name = "safeschool.web.label"
    label = "label"
    verbose_name = "Safe School Label"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.label.models import ApplicationStatus, LabelLevel, Recommendation

        formatting.register("label_level", LabelLevel.choices)
        formatting.register("application_status", ApplicationStatus.choices)
        formatting.register("review_recommendation", Recommendation.choices)
