from django.apps import AppConfig


class RecsConfig(AppConfig):
    """Regional Educational Centres and their partnerships with schools: profiles, partnerships, meetings, referral
    counts, the partnership quality survey, the needs analysis and the state-of-the-art report. Reads the research
    registry and network members; the learning app reads its RECs."""

    name = "safeschool.web.recs"
    label = "recs"
    verbose_name = "Regional Educational Centres"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.network import personal_data
        from safeschool.web.recs import receivers
        from safeschool.web.recs.models import NeedsRole, Service, Side

        personal_data.member_export.connect(receivers.member_export, dispatch_uid="recs.member_export")
        personal_data.member_erase.connect(receivers.member_erase, dispatch_uid="recs.member_erase")

        formatting.register("rec_service", Service.choices)
        formatting.register("survey_side", Side.choices)
        formatting.register("needs_role", NeedsRole.choices)
