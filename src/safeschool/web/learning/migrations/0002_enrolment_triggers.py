"""Database triggers: an edition is never over-booked (enrolled and completed places never exceed its capacity,
whatever the order of concurrent requests; PostgreSQL locks the edition's row first), and a certificate is issued
only for a completed enrolment. SQLite and PostgreSQL each get their own dialect."""

from django.db import migrations

from safeschool.web.core.triggers import create_triggers, drop_triggers

FULL = "the edition is full: no place left"
NOT_COMPLETED = "a certificate is issued only for a completed enrolment"
_COUNT = """(SELECT count(*) FROM learning_enrolment e WHERE e.edition_id = NEW.edition_id
             AND e.status IN ('enrolled', 'completed') AND e.id IS NOT NEW.id)
           >= (SELECT capacity FROM learning_edition WHERE id = NEW.edition_id)"""

SQLITE = [
    f"""CREATE TRIGGER learning_enrolment_capacity_insert BEFORE INSERT ON learning_enrolment
        WHEN NEW.status IN ('enrolled', 'completed') AND {_COUNT}
        BEGIN SELECT RAISE(ABORT, '{FULL}'); END""",
    f"""CREATE TRIGGER learning_enrolment_capacity_update BEFORE UPDATE OF status, edition_id ON learning_enrolment
        WHEN NEW.status IN ('enrolled', 'completed') AND OLD.status NOT IN ('enrolled', 'completed') AND {_COUNT}
        BEGIN SELECT RAISE(ABORT, '{FULL}'); END""",
    f"""CREATE TRIGGER learning_certificate_completed BEFORE INSERT ON learning_certificate
        WHEN (SELECT status FROM learning_enrolment WHERE id = NEW.enrolment_id) <> 'completed'
        BEGIN SELECT RAISE(ABORT, '{NOT_COMPLETED}'); END""",
]
SQLITE_DROP = ["learning_enrolment_capacity_insert", "learning_enrolment_capacity_update",
               "learning_certificate_completed"]

POSTGRES = [
    f"""CREATE FUNCTION learning_guard_enrolment() RETURNS trigger AS $$
        DECLARE cap int; taken int;
        BEGIN
          IF NEW.status NOT IN ('enrolled', 'completed') THEN RETURN NEW; END IF;
          IF TG_OP = 'UPDATE' AND OLD.status IN ('enrolled', 'completed') AND OLD.edition_id = NEW.edition_id
          THEN RETURN NEW; END IF;
          -- serialise bookings of one edition: concurrent transactions wait here for each other
          SELECT capacity INTO cap FROM learning_edition WHERE id = NEW.edition_id FOR UPDATE;
          SELECT count(*) INTO taken FROM learning_enrolment
            WHERE edition_id = NEW.edition_id AND status IN ('enrolled', 'completed') AND id IS DISTINCT FROM NEW.id;
          IF taken >= cap THEN RAISE EXCEPTION '{FULL}' USING ERRCODE = 'integrity_constraint_violation'; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER learning_enrolment_guard BEFORE INSERT OR UPDATE ON learning_enrolment
       FOR EACH ROW EXECUTE FUNCTION learning_guard_enrolment()""",
    f"""CREATE FUNCTION learning_guard_certificate() RETURNS trigger AS $$
        BEGIN
          IF (SELECT status FROM learning_enrolment WHERE id = NEW.enrolment_id) <> 'completed'
          THEN RAISE EXCEPTION '{NOT_COMPLETED}' USING ERRCODE = 'integrity_constraint_violation'; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER learning_certificate_guard BEFORE INSERT ON learning_certificate
       FOR EACH ROW EXECUTE FUNCTION learning_guard_certificate()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS learning_enrolment_guard ON learning_enrolment",
    "DROP FUNCTION IF EXISTS learning_guard_enrolment()",
    "DROP TRIGGER IF EXISTS learning_certificate_guard ON learning_certificate",
    "DROP FUNCTION IF EXISTS learning_guard_certificate()",
]


def create(apps, schema_editor):
    create_triggers(schema_editor, sqlite=SQLITE, postgres=POSTGRES)


def drop(apps, schema_editor):
    drop_triggers(schema_editor, sqlite_names=SQLITE_DROP, postgres_drop=POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
