from django.apps import AppConfig


class LearningConfig(AppConfig):
    """The network's public learning: case studies, resource packs, the six-day course (editions, enrolment,
    certificates) and the handbook, with the dissemination site's feed and sitemap. Reads RECs, schools, the Hub's
    practices and interventions; nothing reads it back."""

    name = "safeschool.web.learning"
    label = "learning"
    verbose_name = "Learning and dissemination"

    def ready(self):
        from safeschool.web.core import formatting
        from safeschool.web.learning import receivers
        from safeschool.web.learning.models import Audience, EnrolmentStatus, ItemKind
        from safeschool.web.network import personal_data

        personal_data.member_export.connect(receivers.member_export, dispatch_uid="learning.member_export")

        formatting.register("audience", Audience.choices)
        formatting.register("pack_item_kind", ItemKind.choices)
        formatting.register("enrolment_status", EnrolmentStatus.choices)
