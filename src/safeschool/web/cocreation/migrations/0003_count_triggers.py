"""Triggers that keep RatingCount and PairedChange up to date as ratings are inserted (or deleted from an open
round), fill them from the ratings already there, and make a sent rating final (no UPDATE). SQLite and
PostgreSQL dialects."""

from django.db import migrations

from safeschool.web.core.triggers import create_triggers, drop_triggers

PREVIOUS = ("(SELECT p.id FROM cocreation_round p JOIN cocreation_round c ON c.study_id = p.study_id "
            "AND p.number = c.number - 1 WHERE c.id = {row}.round_id)")

SQLITE = [
    """CREATE TRIGGER cocreation_rating_final BEFORE UPDATE ON cocreation_rating
       BEGIN SELECT RAISE(ABORT, 'a rating is final once sent'); END""",
    f"""CREATE TRIGGER cocreation_count_insert AFTER INSERT ON cocreation_rating BEGIN
       INSERT INTO cocreation_ratingcount (round_id, statement_id, "group", value, n)
         SELECT NEW.round_id, NEW.statement_id, p."group", NEW.value, 1 FROM cocreation_panellist p
         WHERE p.id = NEW.panellist_id
         ON CONFLICT (round_id, statement_id, "group", value) DO UPDATE SET n = n + 1;
       INSERT INTO cocreation_pairedchange (round_id, statement_id, d, n)
         SELECT NEW.round_id, NEW.statement_id, NEW.value - b.value, 1 FROM cocreation_rating b
         WHERE b.panellist_id = NEW.panellist_id AND b.statement_id = NEW.statement_id
           AND b.round_id = {PREVIOUS.format(row="NEW")}
         ON CONFLICT (round_id, statement_id, d) DO UPDATE SET n = n + 1;
       END""",
    f"""CREATE TRIGGER cocreation_count_delete AFTER DELETE ON cocreation_rating BEGIN
       UPDATE cocreation_ratingcount SET n = n - 1 WHERE round_id = OLD.round_id AND statement_id = OLD.statement_id
         AND value = OLD.value AND "group" = (SELECT "group" FROM cocreation_panellist WHERE id = OLD.panellist_id);
       UPDATE cocreation_pairedchange SET n = n - 1 WHERE round_id = OLD.round_id AND statement_id = OLD.statement_id
         AND d = OLD.value - (SELECT b.value FROM cocreation_rating b WHERE b.panellist_id = OLD.panellist_id
           AND b.statement_id = OLD.statement_id AND b.round_id = {PREVIOUS.format(row="OLD")});
       END""",
]
SQLITE_DROP = ["cocreation_rating_final", "cocreation_count_insert", "cocreation_count_delete"]

POSTGRES = [
    f"""CREATE FUNCTION cocreation_count_rating() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'a rating is final once sent' USING ERRCODE = 'integrity_constraint_violation'; END IF;
         IF TG_OP = 'INSERT' THEN
           INSERT INTO cocreation_ratingcount (round_id, statement_id, "group", value, n)
             SELECT NEW.round_id, NEW.statement_id, p."group", NEW.value, 1 FROM cocreation_panellist p
             WHERE p.id = NEW.panellist_id
             ON CONFLICT (round_id, statement_id, "group", value) DO UPDATE SET n = cocreation_ratingcount.n + 1;
           INSERT INTO cocreation_pairedchange (round_id, statement_id, d, n)
             SELECT NEW.round_id, NEW.statement_id, NEW.value - b.value, 1 FROM cocreation_rating b
             WHERE b.panellist_id = NEW.panellist_id AND b.statement_id = NEW.statement_id
               AND b.round_id = {PREVIOUS.format(row="NEW")}
             ON CONFLICT (round_id, statement_id, d) DO UPDATE SET n = cocreation_pairedchange.n + 1;
           RETURN NEW;
         END IF;
         UPDATE cocreation_ratingcount SET n = n - 1 WHERE round_id = OLD.round_id
           AND statement_id = OLD.statement_id AND value = OLD.value
           AND "group" = (SELECT "group" FROM cocreation_panellist WHERE id = OLD.panellist_id);
         UPDATE cocreation_pairedchange SET n = n - 1 WHERE round_id = OLD.round_id
           AND statement_id = OLD.statement_id
           AND d = OLD.value - (SELECT b.value FROM cocreation_rating b WHERE b.panellist_id = OLD.panellist_id
             AND b.statement_id = OLD.statement_id AND b.round_id = {PREVIOUS.format(row="OLD")});
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cocreation_rating_count BEFORE UPDATE ON cocreation_rating
       FOR EACH ROW EXECUTE FUNCTION cocreation_count_rating()""",
    """CREATE TRIGGER cocreation_rating_count_after AFTER INSERT OR DELETE ON cocreation_rating
       FOR EACH ROW EXECUTE FUNCTION cocreation_count_rating()""",
]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS cocreation_rating_count ON cocreation_rating",
                 "DROP TRIGGER IF EXISTS cocreation_rating_count_after ON cocreation_rating",
                 "DROP FUNCTION IF EXISTS cocreation_count_rating()"]

BACKFILL = [
    """INSERT INTO cocreation_ratingcount (round_id, statement_id, "group", value, n)
       SELECT t.round_id, t.statement_id, p."group", t.value, COUNT(*) FROM cocreation_rating t
       JOIN cocreation_panellist p ON p.id = t.panellist_id GROUP BY t.round_id, t.statement_id, p."group", t.value""",
    """INSERT INTO cocreation_pairedchange (round_id, statement_id, d, n)
       SELECT a.round_id, a.statement_id, a.value - b.value, COUNT(*) FROM cocreation_rating a
       JOIN cocreation_round ra ON ra.id = a.round_id
       JOIN cocreation_round rb ON rb.study_id = ra.study_id AND rb.number = ra.number - 1
       JOIN cocreation_rating b ON b.round_id = rb.id AND b.panellist_id = a.panellist_id
         AND b.statement_id = a.statement_id
       GROUP BY a.round_id, a.statement_id, a.value - b.value""",
]


def create(apps, schema_editor):
    for sql in BACKFILL:
        schema_editor.execute(sql)
    create_triggers(schema_editor, sqlite=SQLITE, postgres=POSTGRES)


def drop(apps, schema_editor):
    drop_triggers(schema_editor, sqlite_names=SQLITE_DROP, postgres_drop=POSTGRES_DROP)
    schema_editor.execute("DELETE FROM cocreation_ratingcount")
    schema_editor.execute("DELETE FROM cocreation_pairedchange")


class Migration(migrations.Migration):
    dependencies = [("cocreation", "0002_immutability_triggers")]
    operations = [migrations.RunPython(create, drop)]
