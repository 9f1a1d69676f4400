"""The self-evaluation pages under issue 16's benchmark load (bench_selfeval.py --web, or run this file): 120 schools x
about 200 respondents each (safeschool.selfeval.simulate.simulate_network) in a temporary SQLite database, every
campaign closed through the real `campaign_close` (which writes the score rows peers are compared on), then a
school's report page and the network comparison page requested as the researcher through Django's test client
(the whole view, template and charts; no network or server): the first request and the median of the next 5.
Targets: a school report under 300 ms, the network comparison under 2 s.

The answers are bulk-inserted rather than sent one by one through `response_submit` (24,000 answers): this times
the pages, not answering (the demo and the tests go through the service)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

REPORT_TARGET, NETWORK_TARGET = 0.300, 2.0
REPEATS = 5


def _load(folder: Path, schools: int, respondents: int) -> tuple[list, object]:
    """A fresh installation with `schools` schools (a small cohort loaded through the real service), one closed
    campaign each; returns the campaigns and a researcher."""
    from _installation import fresh_installation
    from safeschool.cohort import CohortConfig, Sizes, simulate

    fresh_installation(folder)
    from django.db import transaction

    from safeschool.selfeval import questionnaire as questionnaires
    from safeschool.selfeval.simulate import simulate_network
    from safeschool.web.accounts.models import Role
    from safeschool.web.accounts.services import user_create
    from safeschool.web.research.models import School
    from safeschool.web.research.services import cohort_load, staff_appoint
    from safeschool.web.selfeval import services
    from safeschool.web.selfeval.models import Response

    sizes = Sizes(countries=4, schools=schools, classes=schools, teachers=schools, students=schools * 10, waves=2,
                  cohorts=1)
    simulate(CohortConfig(sizes=sizes, seed=16)).write(folder / "cohort")
    cohort_load(directory=folder / "cohort")
    questionnaire = questionnaires.load()
    frame = simulate_network(questionnaire, schools=schools, respondents=respondents, seed=0)
    codes = list(questionnaire.indicators)
    leader = user_create(username="leader", password=None, role=Role.STAFF)
    researcher = user_create(username="researcher", password=None, role=Role.RESEARCHER)
    campaigns = []
    started = time.perf_counter()
    with transaction.atomic():
        for school, (_code, answers) in zip(School.objects.order_by("code"), frame.groupby("school", sort=True),
                                            strict=True):
            staff_appoint(user=leader, school=school)
            campaign = services.campaign_open(leader, school, "Self-evaluation", list(questionnaires.INFORMANTS))
            rows = answers[codes].to_numpy()
            Response.objects.bulk_create([
                Response(campaign=campaign, informant=informant, answers={
                    c: (int(v) if float(v).is_integer() else float(v)) for c, v in zip(codes, row, strict=True)
                    if v == v}) for informant, row in zip(answers["informant"], rows, strict=True)], batch_size=1000)
            campaigns.append(services.campaign_close(leader, campaign))
    print(f"loaded {len(campaigns)} campaigns, {Response.objects.count():,} respondents, closed through "
          f"campaign_close in {time.perf_counter() - started:.1f} s", flush=True)
    return campaigns, researcher


def _timed(client, path: str) -> tuple[float, float, int]:
    """(first request s, median of the next REPEATS s, bytes) of a GET that must answer 200."""
    times = []
    for _ in range(REPEATS + 1):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return times[0], statistics.median(times[1:]), len(response.content)


def _profile(client, path: str) -> None:
    """Where one (warm) request's time goes: cProfile's top 25 by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def web_timings(schools: int = 120, respondents: int = 200, profile: bool = False) -> list[tuple[str, float, float, float]]:
    """[(page, first s, median s, target s)] on a fresh temporary installation; prints the table."""
    with tempfile.TemporaryDirectory() as tmp:
        campaigns, researcher = _load(Path(tmp), schools, respondents)
        from django.test import Client, override_settings

        from safeschool.web.research.models import School

        # a school of the stage with most schools: the comparison with the same stage and country has peers
        stage = max({s.stage for s in School.objects.all()},
                    key=lambda st: School.objects.filter(stage=st).count())
        campaign = next(c for c in campaigns if c.school.stage == stage)
        # hashed static names come from collectstatic's manifest in production; the plain storage stands in
        plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                 "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        with override_settings(STORAGES=plain, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(researcher)
            rows = [("school report (`/selfeval/campaigns/<id>/report/`)",
                     *_timed(client, f"/selfeval/campaigns/{campaign.pk}/report/")[:2], REPORT_TARGET),
                    ("network comparison (`/selfeval/network/`)", *_timed(client, "/selfeval/network/")[:2],
                     NETWORK_TARGET)]
            if profile:
                _profile(client, f"/selfeval/campaigns/{campaign.pk}/report/")
                _profile(client, "/selfeval/network/")
    print(f"\n| page ({schools} schools x {respondents} respondents) | first request (ms) | median of {REPEATS} (ms) "
          f"| target |")
    print("|---|---|---|---|")
    for name, first, median, target in rows:
        print(f"| {name} | {first * 1000:,.0f} | {median * 1000:,.0f} | < {target * 1000:,.0f} ms, "
              f"{'met' if median < target else 'NOT met'} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also print where a warm request's time goes")
    args = parser.parse_args()
    web_timings(args.schools, args.respondents, args.profile)


if __name__ == "__main__":
    main()
