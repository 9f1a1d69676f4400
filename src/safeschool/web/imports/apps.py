from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "safeschool.web.imports"
    label = "imports"
    verbose_name = "Data imports"

    def ready(self):
        from safeschool.instruments.registry import TARGET_LABELS
        from safeschool.web.core import formatting

        # the labels the instruments page shows for the platform field a scale fills
        formatting.register("scale_target", TARGET_LABELS)
