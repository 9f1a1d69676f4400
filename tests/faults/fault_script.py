"""Run by the fault tests in a child process, with Django set up on the SAFESCHOOL_HOME they give:

  migrate                      make the database (once per session; tests copy the file)
  queue                        queue analysis run A (to be killed), analysis run B and a digest
  user NAME PASSWORD ROLE      create a user
  slow-worker MARKER           the real `safeschool worker --batch`, with analysis runs' data step stalled (it
                               writes MARKER, then sleeps) so that it can be killed while the run is RUNNING

Prints one JSON line last."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command = argv[0]
    if command == "migrate":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(json.dumps({"ok": True}))
    elif command == "queue":
        from django.db import transaction

        from safeschool.web.analysis.models import AnalysisRun
        from safeschool.web.analysis.tasks import run_analysis
        from safeschool.web.hub.tasks import send_digest

        ids = {}
        with transaction.atomic():
            for name in ("a", "b"):
                run = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement", "wave": 1})
                result = run_analysis.enqueue(run.pk)
                ids[name] = {"run": run.pk, "task": str(result.id).replace("-", "")}
            ids["digest"] = {"task": str(send_digest.enqueue("weekly").id).replace("-", "")}
        print(json.dumps(ids))
    elif command == "user":
        from safeschool.web.accounts.services import user_create

        user = user_create(username=argv[1], password=argv[2], role=argv[3])
        print(json.dumps({"user": user.pk}))
    elif command == "slow-worker":
        from safeschool.web.analysis import execution

        marker = Path(argv[1])

        def stalled(**kwargs):
            marker.write_text("running")
            time.sleep(120)
            raise AssertionError("the test should have killed this worker")

        execution.analysis_frame = stalled
        from safeschool.cli import app

        app(["worker", "--batch", "--quiet"])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
