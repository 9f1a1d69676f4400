from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Screening and early warning. Reads the research registry and the Hub's practices; nothing reads it back."""

    name = "safeschool.web.screening"
    label = "screening"
    verbose_name = "Screening and early warning"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.screening.models import (
            Algorithm,
            ApprovalRole,
            Domain,
            FollowUpStatus,
            ModelStatus,
            RiskOutcome,
            RunStatus,
            Tier,
        )

        formatting.register("risk_tier", Tier.choices)
        formatting.register("risk_domain", Domain.choices)
        formatting.register("risk_outcome", RiskOutcome.choices)
        formatting.register("risk_algorithm", Algorithm.choices)
        formatting.register("model_status", ModelStatus.choices)
        formatting.register("approval_role", ApprovalRole.choices)
        formatting.register("scoring_status", RunStatus.choices)
        formatting.register("follow_up_status", FollowUpStatus.choices)
