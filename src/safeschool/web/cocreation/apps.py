from django.apps import AppConfig


class CocreationConfig(AppConfig):
    """Exports and erases its part of a member's data (Delphi ratings, interviews) when the network asks
    (network/personal_data.py)."""

    name = "safeschool.web.cocreation"
    label = "cocreation"
    verbose_name = "Co-creation: Delphi studies"

    def ready(self):
        from safeschool.web.cocreation import labels, receivers
        from safeschool.web.network import personal_data

        personal_data.member_export.connect(receivers.member_export, dispatch_uid="cocreation.member_export")
        personal_data.member_erase.connect(receivers.member_erase, dispatch_uid="cocreation.member_erase")
        labels.register()
