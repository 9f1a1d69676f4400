"""Database triggers: a stored risk score is never edited (recompute is a new scoring run), and a scoring run
never changes the model it was made with, so every score keeps the model version it came from. SQLite and
PostgreSQL each get their own dialect (the pattern of co-creation's immutability triggers)."""

from django.db import migrations

from safeschool.web.core.triggers import create_triggers, drop_triggers

SQLITE = [
    """CREATE TRIGGER screening_riskscore_no_update BEFORE UPDATE ON screening_riskscore
       BEGIN SELECT RAISE(ABORT, 'risk scores are never edited: recompute them in a new scoring run'); END""",
    """CREATE TRIGGER screening_scoringrun_model_fixed BEFORE UPDATE OF model_id ON screening_scoringrun
       WHEN NEW.model_id IS NOT OLD.model_id
       BEGIN SELECT RAISE(ABORT, 'a scoring run keeps the model it was made with'); END""",
]
SQLITE_DROP = ["screening_riskscore_no_update", "screening_scoringrun_model_fixed"]

POSTGRES = [
    """CREATE FUNCTION screening_guard_riskscore() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'risk scores are never edited: recompute them in a new scoring run' USING ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER screening_riskscore_guard BEFORE UPDATE ON screening_riskscore
       FOR EACH ROW EXECUTE FUNCTION screening_guard_riskscore()""",
    """CREATE FUNCTION screening_guard_scoringrun() RETURNS trigger AS $$
       BEGIN
         IF NEW.model_id IS DISTINCT FROM OLD.model_id
         THEN RAISE EXCEPTION 'a scoring run keeps the model it was made with' USING ERRCODE = 'integrity_constraint_violation'; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER screening_scoringrun_guard BEFORE UPDATE ON screening_scoringrun
       FOR EACH ROW EXECUTE FUNCTION screening_guard_scoringrun()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS screening_riskscore_guard ON screening_riskscore",
    "DROP FUNCTION IF EXISTS screening_guard_riskscore()",
    "DROP TRIGGER IF EXISTS screening_scoringrun_guard ON screening_scoringrun",
    "DROP FUNCTION IF EXISTS screening_guard_scoringrun()",
]


def create(apps, schema_editor):
    create_triggers(schema_editor, sqlite=SQLITE, postgres=POSTGRES)


def drop(apps, schema_editor):
    drop_triggers(schema_editor, sqlite_names=SQLITE_DROP, postgres_drop=POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
