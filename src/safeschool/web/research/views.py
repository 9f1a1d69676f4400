"""Thin views: check the permission, call a selector, render."""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

from safeschool import csvsafe
from safeschool.vocabulary import group_title
from safeschool.web.core.permissions import authorize
from safeschool.web.research import charts, charts_compare, comparisons, selectors
from safeschool.web.research.models import Country, School


def _profile_charts(profile) -> dict:
    if profile.last_wave is None:
        return {}
    wave = profile.last_wave
    return {
        "dropout": charts.group_shares(profile.dropout_groups["gender"],
                                       gettext("Left education early by wave %(wave)s, by gender") % {"wave": wave},
                                       value_title=gettext("Left early")),
        "achievement": charts.banded(profile.achievement_bands,
                                     gettext("Achievement, wave %(wave)s: students per band") % {"wave": wave}),
        "attendance": charts.banded(profile.attendance_bands,
                                    gettext("Attendance, wave %(wave)s: students per band") % {"wave": wave}),
    }


def _trend_charts(profile) -> dict:
    """The key measures by wave, one small chart each."""
    if profile.last_wave is None:
        return {}
    waves = {w["number"]: w["label"] for w in profile.waves}
    return {f"trend_{m}": charts.trend(profile.summary, m, gettext(selectors.PROFILE_MEASURES[m]),
                                       share=m in charts_compare.SHARES, digits=selectors.precision(m), waves=waves)
            for m in comparisons.KEY_MEASURES}


def _profile_context(profile) -> dict:
    """What a school page and a country page both show of a profile."""
    return {
        "profile": profile, "charts": _profile_charts(profile), "trends": _trend_charts(profile),
        "wave_rows": profile.wave_table(),
        "groups": [(gettext(group_title(name)), table.to_dict("records")) for name, table in
                   profile.dropout_groups.items()],
    }


def _peer_context(school, profile) -> dict:
    """Where the school stands among the schools of its stage and country (comparisons.school_peers says who is
    left out and why)."""
    if profile.last_wave is None:
        return {"peers": None, "peer_charts": {}}
    peers = comparisons.school_peers(school=school, profile=profile)
    peer_charts = {f"peer_{m}": charts_compare.peer_strip(m, figures, gettext(figures["label"]))
                   for m, figures in peers["measures"].items() if figures["shown"]}
    return {"peers": peers, "peer_charts": peer_charts,
            "peers_left_out": max((f["left_out"] for f in peers["measures"].values()), default=0)}


def _without_rows(profile):
    """The profile as cached and shown: its student rows served the breakdowns above and are not read again, so
    they are not stored in the cache (a demo country: 1.3 MB to unpickle on every page, 0.01 MB without)."""
    return dataclasses.replace(profile, frame=profile.frame.iloc[0:0])


def _school_figures(school) -> tuple:
    """Everything a school page shows that depends on the data only (cached per data version)."""
    profile = selectors.school_profile(school=school)
    classes = selectors.school_classes(school=school, profile=profile)
    context = _profile_context(profile) | _peer_context(school, profile)
    profile = _without_rows(profile)
    return profile, classes, context | {"profile": profile}


def _country_figures(country) -> tuple:
    """Everything a country page shows that depends on the data only (cached per data version)."""
    profile = selectors.country_profile(country=country)
    context = _profile_context(profile)
    stage_dropout = selectors.country_stage_dropout(profile=profile)
    if profile.last_wave is not None:
        context["charts"]["stage"] = charts.group_shares(
            stage_dropout, gettext("Left education early by wave %(wave)s, by school stage") % {
                "wave": profile.last_wave}, value_title=gettext("Left early"))
    profile = _without_rows(profile)
    return profile, stage_dropout, selectors.country_schools(country=country), context | {"profile": profile}


@login_required
def school_list(request):
    authorize(request.user, "research.view_school_profile")
    country, stage, search = request.GET.get("country", ""), request.GET.get("stage", ""), request.GET.get("q", "")
    page = Paginator(selectors.school_list(country=country, stage=stage, search=search), 25).get_page(
        request.GET.get("page"))
    return render(request, "research/school_list.html", {
        "page": page, "countries": selectors.country_list(), "stages": selectors.stage_choices(),
        "filters": {"country": country, "stage": stage, "q": search},
        "min_cell": selectors.k(),
    })


@login_required
def school_detail(request, pk: int):
    school = get_object_or_404(School.objects.select_related("country", "rec"), pk=pk)
    authorize(request.user, "research.view_school_profile", school)
    profile, classes, context = selectors.profile_cached("school", school.pk, lambda: _school_figures(school))
    if request.GET.get("format") == "csv":
        return _profile_csv(f"school-{school.code}", profile, classes, "classes (wave 1)")
    return render(request, "research/school_detail.html", {
        **context,
        "school": school,
        "classes": classes,
        "can_see_students": request.user.has_perm("research.view_school_students", school),
    })


@login_required
def school_students(request, pk: int):
    school = get_object_or_404(School.objects.select_related("country"), pk=pk)
    authorize(request.user, "research.view_school_students", school)
    students = selectors.student_rows(school=school)
    if request.GET.get("format") == "csv":
        return _students_csv(school, students)
    waves = selectors.wave_numbers()
    wave = _chosen(request.GET.get("wave"), waves)
    # get_page: a page that is not a number reads page 1, one past the end the last page
    page = Paginator(selectors.student_wave_rows(school=school, wave=wave), STUDENTS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "research/school_students.html", {"school": school, "page": page, "wave": wave,
                                                             "waves": waves})


STUDENTS_PER_PAGE = 50


def _chosen(value: str | None, waves: list[int]) -> int | None:
    """The wave asked for when it exists, else the last one."""
    # isascii: '²'.isdigit() is true but int('²') fails; a few digits: int() refuses more than 4300
    return (int(value) if value and len(value) < 10 and value.isascii() and value.isdigit() and int(value) in waves
            else (waves[-1] if waves else None))


def _students_csv(school, students) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="students-{school.code}.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(["pseudonym", "class", "gender", "age", "migrant_background", "roma_minority", "ses_index", "sen",
                     "out_of_parental_care", "wave", "security", "belonging", "engagement", "achievement",
                     "attendance_rate", "dropped_out"])
    for s in students:
        scales = {sc.wave.number: sc for sc in s.scales.all()}
        for o in s.outcomes.all():
            sc = scales.get(o.wave.number)
            writer.writerow([s.pseudonym, s.school_class.code, s.gender, s.age, s.migrant_background, s.roma_minority,
                             s.ses_index, s.sen, s.out_of_parental_care, o.wave.number,
                             getattr(sc, "security", ""), getattr(sc, "belonging", ""), getattr(sc, "engagement", ""),
                             o.achievement, o.attendance_rate, o.dropped_out])
    return response


def _profile_csv(name: str, profile, units: list[dict], unit_table: str, stages=None) -> HttpResponse:
    """The profile's figures as shown on its page (hidden cells say why, with no count or value)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="profile-{name}.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(selectors.PROFILE_CSV_COLUMNS)
    writer.writerows(selectors.profile_csv_rows(profile=profile, units=units, unit_table=unit_table, stages=stages))
    return response


@login_required
def country_list(request):
    authorize(request.user, "research.view_country_overview")
    panels = selectors.profile_cached("countries", 0, lambda: charts_compare.country_panels(
        comparisons.country_indicators()))
    return render(request, "research/country_list.html", {"countries": selectors.country_list(),
                                                          "panels": panels})


@login_required
def country_detail(request, code: str):
    country = get_object_or_404(Country, code=code)
    authorize(request.user, "research.view_country_overview", country)
    profile, stage_dropout, schools, context = selectors.profile_cached("country", country.pk,
                                                                        lambda: _country_figures(country))
    if request.GET.get("format") == "csv":
        return _profile_csv(f"country-{country.code}", profile, schools, "schools", stage_dropout)
    return render(request, "research/country_detail.html", {
        **context,
        "country": country,
        "schools": schools,
        "excluded": sum(1 for row in schools if not row["counted"]),
        "stage_dropout": stage_dropout.to_dict("records"),
    })
