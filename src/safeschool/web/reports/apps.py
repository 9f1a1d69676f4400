from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The documents a network is judged by: school and country profile reports, policy briefs built from an
    analysis, and the network's annual report — one document model (safeschool.publishing.document) rendered to
    HTML with the web's template and charts and to a tagged PDF with the same chart theme. Reads the other apps
    through their selectors; writes only briefs, their endorsements and their download counts."""

    name = "safeschool.web.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.network import personal_data
        from safeschool.web.reports import receivers
        from safeschool.web.reports.models import BriefStatus

        personal_data.member_export.connect(receivers.member_export, dispatch_uid="reports.member_export")
        personal_data.member_erase.connect(receivers.member_erase, dispatch_uid="reports.member_erase")
        formatting.register("brief_status", BriefStatus.choices)
