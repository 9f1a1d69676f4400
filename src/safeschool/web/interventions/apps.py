from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    """Co-produced interventions (TIDieR, logic model, versions) and the trials that evaluate them (design, power
    from the network's own data, pre-registration, randomisation, impact). Reads the research registry, the Hub's
    practices and programmes, co-creation's PAR cycles and network members; nothing reads it back."""

    name = "safeschool.web.interventions"
    label = "interventions"
    verbose_name = "Interventions and trials"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.interventions import receivers
        from safeschool.web.interventions.models import (
            Arm,
            Design,
            InterventionStatus,
            LogicStage,
            Outcome,
            RunStatus,
            TrialStatus,
        )
        from safeschool.web.network import personal_data

        personal_data.member_export.connect(receivers.member_export, dispatch_uid="interventions.member_export")
        formatting.register("trial_outcome", Outcome.choices)
        formatting.register("intervention_status", InterventionStatus.choices)
        formatting.register("logic_stage", LogicStage.choices)
        formatting.register("trial_design", Design.choices)
        formatting.register("trial_status", TrialStatus.choices)
        formatting.register("trial_arm", Arm.choices)
        formatting.register("impact_status", RunStatus.choices)
