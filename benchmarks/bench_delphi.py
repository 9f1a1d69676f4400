"""A Delphi study at scale: 2,000 panellists x 100 statements, two rounds (400,000 ratings). Times the results
page (a closed round: stored statistics; the open round: computed live), the final report (HTML, PDF, CSV) and
the close step that computes and stores a round's statistics, next to the bare statistics on an in-memory
DataFrame (the floor). Targets: results page under 300 ms, final report under 5 s.

Run: `.venv/bin/python benchmarks/bench_delphi.py [--panel 2000 --statements 100]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from _installation import fresh_installation


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", type=int, default=2000)
    parser.add_argument("--statements", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh_installation(Path(tmp))
        from django.contrib.auth import get_user_model
        from django.db import connection, transaction
        from django.test import Client

        from safeschool.stats.delphi import Rule, statement_stats
        from safeschool.web.accounts.models import Profile, Role
        from safeschool.web.accounts.services import user_create
        from safeschool.web.cocreation import selectors, services
        from safeschool.web.cocreation.models import Panellist, Rating, Statement
        from safeschool.web.network.models import Member

        researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
        rng = np.random.default_rng(3)
        groups = ["teacher", "family", "student", "policymaker", "ngo", "scientific", "school_board", "practitioner"]
        start = time.perf_counter()
        User = get_user_model()
        with transaction.atomic():
            users = User.objects.bulk_create([User(username=f"m{i}") for i in range(args.panel)])
            Profile.objects.bulk_create([Profile(user=u, role=Role.MEMBER) for u in users])
            members = Member.objects.bulk_create([
                Member(user=u, display_name=f"Member {i}", stakeholder_type=groups[i % len(groups)], country="ES",
                       level="c", birth_year=date.today().year - 40) for i, u in enumerate(users)])
        study = services.study_create(user=researcher, title="Scale test", rule={"name": "comet"},
                                      drop_settled=False)
        Panellist.objects.bulk_create([Panellist(study=study, member=m, group=m.stakeholder_type) for m in members])
        Statement.objects.bulk_create([Statement(study=study, code=f"S{j + 1:03d}", text=f"Statement {j + 1}",
                                                 level="relational") for j in range(args.statements)])
        panel = list(study.panel.values_list("pk", flat=True))
        statements = list(study.statements.values_list("pk", flat=True))
        centre = rng.uniform(2, 8, len(statements))

        def fill(round_, spread):
            values = np.clip(np.round(centre[None, :] + rng.normal(0, spread, (len(panel), len(statements)))), 1, 9)
            rows = [(round_.pk, p, s, int(values[i, j]), "") for i, p in enumerate(panel)
                    for j, s in enumerate(statements)]
            with connection.cursor() as cursor, transaction.atomic():
                cursor.executemany("INSERT INTO cocreation_rating (round_id, panellist_id, statement_id, value, "
                                   "comment, created_at) VALUES (%s, %s, %s, %s, %s, CURRENT_TIMESTAMP)", rows)

        r1 = services.round_open(user=researcher, study=study)
        fill(r1, 1.6)
        t_close1 = timed(lambda: None, 1)
        start = time.perf_counter()
        services.round_close(user=researcher, round=r1)
        t_close1 = time.perf_counter() - start
        r2 = services.round_open(user=researcher, study=study)
        fill(r2, 1.1)
        print(f"{args.panel:,} panellists x {args.statements} statements, 2 rounds: "
              f"{Rating.objects.count():,} ratings (built in {time.perf_counter() - start:.0f} s)")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(researcher)
        url = f"/cocreation/delphi/{study.pk}/results/"

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        frame = selectors.ratings_frame(study=study)
        floor = timed(lambda: statement_stats(frame, Rule("comet")), 1)
        t_closed = timed(lambda: get(url + "?round=1"))
        t_open = timed(lambda: get(url + "?round=2"))
        start = time.perf_counter()
        services.round_close(user=researcher, round=r2)
        t_close2 = time.perf_counter() - start
        t_closed2 = timed(lambda: get(url + "?round=2"))
        t_html = timed(lambda: get(f"/cocreation/delphi/{study.pk}/report/"))
        t_pdf = timed(lambda: get(f"/cocreation/delphi/{study.pk}/report.pdf"))
        t_csv = timed(lambda: get(f"/cocreation/delphi/{study.pk}/report.csv"))
        print(f"{'step':<46}{'seconds':>9}{'vs floor':>10}")
        for name, t in (("statistics alone, in memory (floor)", floor),
                        ("results page, closed round 1 (target < 0.3 s)", t_closed),
                        ("results page, closed round 2 (target < 0.3 s)", t_closed2),
                        ("results page, open round 2 (live; target < 0.3 s)", t_open),
                        ("closing round 1 (computes and stores)", t_close1),
                        ("closing round 2 (computes and stores)", t_close2),
                        ("final report HTML (target < 5 s)", t_html),
                        ("final report PDF (target < 5 s)", t_pdf),
                        ("final report CSV (target < 5 s)", t_csv)):
            print(f"{name:<46}{t:9.3f}{t / floor:9.1f}x")


if __name__ == "__main__":
    main()
