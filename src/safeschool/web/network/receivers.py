"""What the network does after `migrate` (connected in apps.py): the default consent texts exist once the tables
do, so that reading the current text never has to write it."""

from django.db import connections

from safeschool.web.network import services
from safeschool.web.network.models import ConsentText


def consent_texts_after_migrate(sender, using="default", **kwargs) -> None:
    if ConsentText._meta.db_table in connections[using].introspection.table_names():
        services.consent_texts_ensure()
