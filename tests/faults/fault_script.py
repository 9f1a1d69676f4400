"""Run by the fault tests in a child process, with Django set up on the SAFESCHOOL_HOME they give:

  slow-worker MARKER           the real `safeschool worker --batch`, with analysis runs' data step stalled (it
                               writes MARKER, then sleeps) so that it can be killed while the run is RUNNING
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command = argv[0]
    if command == "slow-worker":
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
