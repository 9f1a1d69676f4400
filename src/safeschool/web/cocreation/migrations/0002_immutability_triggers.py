"""Database triggers: ratings of a closed round cannot be inserted, changed or deleted; a closed round cannot
reopen; ratings must lie on the study's scale; the consensus rule cannot change once a round exists. SQLite and
PostgreSQL each get their own dialect."""

from django.db import migrations

from safeschool.web.core.triggers import create_triggers, drop_triggers

SQLITE = [
    """CREATE TRIGGER cocreation_rating_closed_insert BEFORE INSERT ON cocreation_rating
       WHEN (SELECT status FROM cocreation_round WHERE id = NEW.round_id) = 'closed'
       BEGIN SELECT RAISE(ABORT, 'round is closed: its ratings are a fixed snapshot'); END""",
    """CREATE TRIGGER cocreation_rating_closed_update BEFORE UPDATE ON cocreation_rating
       WHEN (SELECT status FROM cocreation_round WHERE id = OLD.round_id) = 'closed'
         OR (SELECT status FROM cocreation_round WHERE id = NEW.round_id) = 'closed'
       BEGIN SELECT RAISE(ABORT, 'round is closed: its ratings are a fixed snapshot'); END""",
    """CREATE TRIGGER cocreation_rating_closed_delete BEFORE DELETE ON cocreation_rating
       WHEN (SELECT status FROM cocreation_round WHERE id = OLD.round_id) = 'closed'
       BEGIN SELECT RAISE(ABORT, 'round is closed: its ratings are a fixed snapshot'); END""",
    """CREATE TRIGGER cocreation_rating_scale BEFORE INSERT ON cocreation_rating
       WHEN NEW.value < (SELECT s.scale_min FROM cocreation_delphistudy s JOIN cocreation_round r ON r.study_id = s.id
                         WHERE r.id = NEW.round_id)
         OR NEW.value > (SELECT s.scale_max FROM cocreation_delphistudy s JOIN cocreation_round r ON r.study_id = s.id
                         WHERE r.id = NEW.round_id)
       BEGIN SELECT RAISE(ABORT, 'rating outside the study scale'); END""",
    """CREATE TRIGGER cocreation_round_no_reopen BEFORE UPDATE OF status ON cocreation_round
       WHEN OLD.status = 'closed' AND NEW.status <> 'closed'
       BEGIN SELECT RAISE(ABORT, 'a closed round cannot reopen'); END""",
    """CREATE TRIGGER cocreation_round_no_delete BEFORE DELETE ON cocreation_round
       WHEN OLD.status = 'closed'
       BEGIN SELECT RAISE(ABORT, 'a closed round cannot be deleted'); END""",
    """CREATE TRIGGER cocreation_rule_fixed BEFORE UPDATE OF rule, scale_min, scale_max ON cocreation_delphistudy
       WHEN EXISTS (SELECT 1 FROM cocreation_round WHERE study_id = OLD.id)
         AND (NEW.rule IS NOT OLD.rule OR NEW.scale_min <> OLD.scale_min OR NEW.scale_max <> OLD.scale_max)
       BEGIN SELECT RAISE(ABORT, 'the consensus rule and scale are fixed once round 1 has opened'); END""",
]
SQLITE_DROP = ["cocreation_rating_closed_insert", "cocreation_rating_closed_update", "cocreation_rating_closed_delete",
               "cocreation_rating_scale", "cocreation_round_no_reopen", "cocreation_round_no_delete",
               "cocreation_rule_fixed"]

POSTGRES = [
    """CREATE FUNCTION cocreation_guard_rating() RETURNS trigger AS $$
       DECLARE st text; lo int; hi int;
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') AND (SELECT status FROM cocreation_round WHERE id = OLD.round_id) = 'closed'
         THEN RAISE EXCEPTION 'round is closed: its ratings are a fixed snapshot' USING ERRCODE = 'integrity_constraint_violation'; END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN
           SELECT r.status, s.scale_min, s.scale_max INTO st, lo, hi FROM cocreation_round r
             JOIN cocreation_delphistudy s ON s.id = r.study_id WHERE r.id = NEW.round_id;
           IF st = 'closed' THEN RAISE EXCEPTION 'round is closed: its ratings are a fixed snapshot' USING ERRCODE = 'integrity_constraint_violation'; END IF;
           IF NEW.value < lo OR NEW.value > hi THEN RAISE EXCEPTION 'rating outside the study scale' USING ERRCODE = 'integrity_constraint_violation'; END IF;
           RETURN NEW;
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cocreation_rating_guard BEFORE INSERT OR UPDATE OR DELETE ON cocreation_rating
       FOR EACH ROW EXECUTE FUNCTION cocreation_guard_rating()""",
    """CREATE FUNCTION cocreation_guard_round() RETURNS trigger AS $$
       BEGIN
         IF OLD.status = 'closed' AND (TG_OP = 'DELETE' OR NEW.status <> 'closed')
         THEN RAISE EXCEPTION 'a closed round cannot reopen or be deleted' USING ERRCODE = 'integrity_constraint_violation'; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cocreation_round_guard BEFORE UPDATE OR DELETE ON cocreation_round
       FOR EACH ROW EXECUTE FUNCTION cocreation_guard_round()""",
    """CREATE FUNCTION cocreation_guard_rule() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM cocreation_round WHERE study_id = OLD.id)
            AND (NEW.rule::text <> OLD.rule::text OR NEW.scale_min <> OLD.scale_min OR NEW.scale_max <> OLD.scale_max)
         THEN RAISE EXCEPTION 'the consensus rule and scale are fixed once round 1 has opened' USING ERRCODE = 'integrity_constraint_violation'; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cocreation_rule_guard BEFORE UPDATE ON cocreation_delphistudy
       FOR EACH ROW EXECUTE FUNCTION cocreation_guard_rule()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS cocreation_rating_guard ON cocreation_rating",
    "DROP FUNCTION IF EXISTS cocreation_guard_rating()",
    "DROP TRIGGER IF EXISTS cocreation_round_guard ON cocreation_round",
    "DROP FUNCTION IF EXISTS cocreation_guard_round()",
    "DROP TRIGGER IF EXISTS cocreation_rule_guard ON cocreation_delphistudy",
    "DROP FUNCTION IF EXISTS cocreation_guard_rule()",
]


def create(apps, schema_editor):
    create_triggers(schema_editor, sqlite=SQLITE, postgres=POSTGRES)


def drop(apps, schema_editor):
    drop_triggers(schema_editor, sqlite_names=SQLITE_DROP, postgres_drop=POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("cocreation", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
