"""Database triggers: a locked protocol cannot change or be deleted; deviations are recorded only against a
locked protocol and never change; an allocation and its units never change once written. SQLite and PostgreSQL
each get their own dialect."""

from django.db import migrations

from safeschool.web.core.triggers import create_triggers, drop_triggers

LOCKED = "the protocol is locked: record a deviation with its reason instead"
FIXED_DEVIATION = "a deviation is a fixed record"
FIXED_ALLOCATION = "an allocation is done once and never changes"

SQLITE = [
    f"""CREATE TRIGGER interventions_protocol_locked_update BEFORE UPDATE ON interventions_protocol
        WHEN OLD.locked_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER interventions_protocol_locked_delete BEFORE DELETE ON interventions_protocol
        WHEN OLD.locked_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    """CREATE TRIGGER interventions_deviation_needs_lock BEFORE INSERT ON interventions_deviation
       WHEN (SELECT locked_at FROM interventions_protocol WHERE id = NEW.protocol_id) IS NULL
       BEGIN SELECT RAISE(ABORT, 'deviations are recorded against a locked protocol only'); END""",
    f"""CREATE TRIGGER interventions_deviation_fixed_update BEFORE UPDATE ON interventions_deviation
        BEGIN SELECT RAISE(ABORT, '{FIXED_DEVIATION}'); END""",
    f"""CREATE TRIGGER interventions_deviation_fixed_delete BEFORE DELETE ON interventions_deviation
        BEGIN SELECT RAISE(ABORT, '{FIXED_DEVIATION}'); END""",
    f"""CREATE TRIGGER interventions_allocation_fixed_update BEFORE UPDATE ON interventions_allocation
        BEGIN SELECT RAISE(ABORT, '{FIXED_ALLOCATION}'); END""",
    f"""CREATE TRIGGER interventions_allocation_fixed_delete BEFORE DELETE ON interventions_allocation
        BEGIN SELECT RAISE(ABORT, '{FIXED_ALLOCATION}'); END""",
    f"""CREATE TRIGGER interventions_unit_fixed_update BEFORE UPDATE ON interventions_allocatedunit
        BEGIN SELECT RAISE(ABORT, '{FIXED_ALLOCATION}'); END""",
    f"""CREATE TRIGGER interventions_unit_fixed_delete BEFORE DELETE ON interventions_allocatedunit
        BEGIN SELECT RAISE(ABORT, '{FIXED_ALLOCATION}'); END""",
]
SQLITE_DROP = ["interventions_protocol_locked_update", "interventions_protocol_locked_delete",
               "interventions_deviation_needs_lock", "interventions_deviation_fixed_update",
               "interventions_deviation_fixed_delete", "interventions_allocation_fixed_update",
               "interventions_allocation_fixed_delete", "interventions_unit_fixed_update",
               "interventions_unit_fixed_delete"]

POSTGRES = [
    f"""CREATE FUNCTION interventions_guard_protocol() RETURNS trigger AS $$
        BEGIN
          IF OLD.locked_at IS NOT NULL THEN RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'integrity_constraint_violation'; END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER interventions_protocol_guard BEFORE UPDATE OR DELETE ON interventions_protocol
       FOR EACH ROW EXECUTE FUNCTION interventions_guard_protocol()""",
    f"""CREATE FUNCTION interventions_guard_deviation() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF (SELECT locked_at FROM interventions_protocol WHERE id = NEW.protocol_id) IS NULL
            THEN RAISE EXCEPTION 'deviations are recorded against a locked protocol only' USING ERRCODE = 'integrity_constraint_violation'; END IF;
            RETURN NEW;
          END IF;
          RAISE EXCEPTION '{FIXED_DEVIATION}' USING ERRCODE = 'integrity_constraint_violation';
        END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER interventions_deviation_guard BEFORE INSERT OR UPDATE OR DELETE ON interventions_deviation
       FOR EACH ROW EXECUTE FUNCTION interventions_guard_deviation()""",
    f"""CREATE FUNCTION interventions_guard_allocation() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{FIXED_ALLOCATION}' USING ERRCODE = 'integrity_constraint_violation'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER interventions_allocation_guard BEFORE UPDATE OR DELETE ON interventions_allocation
       FOR EACH ROW EXECUTE FUNCTION interventions_guard_allocation()""",
    """CREATE TRIGGER interventions_unit_guard BEFORE UPDATE OR DELETE ON interventions_allocatedunit
       FOR EACH ROW EXECUTE FUNCTION interventions_guard_allocation()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS interventions_protocol_guard ON interventions_protocol",
    "DROP FUNCTION IF EXISTS interventions_guard_protocol()",
    "DROP TRIGGER IF EXISTS interventions_deviation_guard ON interventions_deviation",
    "DROP FUNCTION IF EXISTS interventions_guard_deviation()",
    "DROP TRIGGER IF EXISTS interventions_allocation_guard ON interventions_allocation",
    "DROP TRIGGER IF EXISTS interventions_unit_guard ON interventions_allocatedunit",
    "DROP FUNCTION IF EXISTS interventions_guard_allocation()",
]


def create(apps, schema_editor):
    create_triggers(schema_editor, sqlite=SQLITE, postgres=POSTGRES)


def drop(apps, schema_editor):
    drop_triggers(schema_editor, sqlite_names=SQLITE_DROP, postgres_drop=POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
