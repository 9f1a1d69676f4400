"""The database's own refusals (PostgreSQL's PL/pgSQL triggers) reach Django as IntegrityError, as SQLite's
RAISE(ABORT) does: a plain RAISE EXCEPTION is SQLSTATE P0001, an InternalError the services do not catch, so a
refusal became a server error on PostgreSQL only. The PostgreSQL pass of make test runs the triggers themselves
(tests/web/interventions/test_immutability.py); this reads every trigger migration's SQL, on any database."""

import re
from pathlib import Path

import safeschool.web

WEB = Path(safeschool.web.__file__).parent


def test_every_postgresql_trigger_refuses_with_an_integrity_error():
    raises = []
    for path in sorted(WEB.glob("*/migrations/0*.py")):
        for statement in re.findall(r"RAISE EXCEPTION[^;]*;", path.read_text()):
            raises.append((path.parent.parent.name, statement))
    assert len(raises) >= 14, raises  # cocreation, interventions, learning, screening
    wrong = [r for r in raises if "USING ERRCODE = 'integrity_constraint_violation'" not in r[1]]
    assert not wrong, wrong
