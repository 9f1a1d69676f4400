from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using="default", **kwargs):
    """The database cache's table (the default cache, shared by every server process) is made by migrate, in every
    database migrate builds; a cache elsewhere makes this do nothing. migrate signals once per app with models
    (core has none, so this listens to all): after the first call, each is one look at the table names."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "safeschool.web.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        post_migrate.connect(create_cache_table, dispatch_uid="safeschool-core-cache-table")
