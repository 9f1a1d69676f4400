"""The intervention registry's pages: who gets what on every address (every signed-in user reads; members at level
(c) with consent, staff, researchers and administrators register; whoever registered it, its co-producing members,
researchers and administrators edit; anonymous visitors are sent to log in), unknown and non-numeric ids, the
registry's filters as GET parameters, registering (version 1 with its snapshot), the intervention page (TIDieR
items numbered, empty ones marked, co-producers by sector, the cross-sector badge, links) and the menu entry."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, reverse

from safeschool.web import urls as site_urls
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.interventions import urls as app_urls
from safeschool.web.interventions.models import CoProducer, Intervention, InterventionVersion, Trial
from safeschool.web.network import services as network
from safeschool.web.network.models import Member
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
ADDERS = {"member", "staff_own", "staff_other", "researcher", "admin"}
EDITORS = {"member", "staff_own", "researcher", "admin"}  # member co-produces it; staff_own registered it

# TEMPORARY until helper E's trial URLs exist: the registry links to them, so stand-ins are added here (only the
# names still missing) and this module serves as the URLconf of its tests.
_STUBS = {"trials": "trials/", "power": "power/", "trial_new": "<int:pk>/trials/new/", "trial": "trials/<int:pk>/"}
_names = {p.name for p in app_urls.urlpatterns}
_stubs = [path(route, lambda request, **kw: HttpResponse("stub"), name=name)
          for name, route in _STUBS.items() if name not in _names]
urlpatterns = [p for p in site_urls.urlpatterns if str(p.pattern) != "interventions/"] + [
    path("interventions/", include((app_urls.urlpatterns + _stubs, "interventions")))]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__


def member_make(user, *, name: str, level: str = "c", in_directory: bool = True, sector: str = "") -> Member:
    member = Member.objects.create(user=user, display_name=name, stakeholder_type="practitioner", country="IT",
                                   birth_year=1980, level=level, in_directory=in_directory, sector=sector)
    network.consent_give(member=member)
    return member


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("registry-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                         esl_rate_pct=11, esl_support=True, inclusion_index=0.5)
        own = School.objects.create(code="REG-A", name="School A", country=country, stage="primary",
                                    context="urban", ses_composition=0)
        other = School.objects.create(code="REG-B", name="School B", country=country, stage="primary",
                                      context="urban", ses_composition=0)
        users = {role: user_create(username=f"reg-{role}", password=None, role=r) for role, r in (
            ("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
            ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN), ("bystander", Role.MEMBER))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        member = member_make(users["member"], name="Maria Social", sector="social_care")
        member_make(users["bystander"], name="Bea Reader", level="a", in_directory=False)
        practice = Practice.objects.create(title="Restorative circles", status="accepted", country="IT",
                                           level="relational", years_in_place=2, stakeholders_involved="x",
                                           funding="x", evaluation="none", cost_band="low", licence="cc-by",
                                           submitted_by=member)
        programme = Programme.objects.create(title="Check & Connect", country="IT", level="relational",
                                             tier="strong")
        cycle = ParCycle.objects.create(school=own, title="Belonging cycle", goal="x")
        check = Intervention.objects.create(
            name="Check and connect", summary="Mentors for students at risk of leaving early.",
            why="Attachment to school predicts staying.", providers="Mentors", level="relational",
            outcomes=["attendance", "dropout"], status="ready", created_by=users["staff_own"])
        check.practices.add(practice)
        check.programmes.add(programme)
        check.par_cycles.add(cycle)
        InterventionVersion.objects.create(intervention=check, number=1, snapshot={"name": check.name})
        CoProducer.objects.create(intervention=check, member=member, sector="social_care", role="Co-designed it")
        CoProducer.objects.create(intervention=check, organisation="Liceo Dante", sector="education")
        alternatives = Intervention.objects.create(
            name="Alternatives to exclusion", why="Exclusion harms.", level="community", outcomes=["exclusion"],
            status="draft")
        CoProducer.objects.create(intervention=alternatives, organisation="Youth Justice Team",
                                  sector="youth_justice")
        trial = Trial.objects.create(intervention=check, title="Check trial", design="crt2", unit="school",
                                     primary_outcome="attendance", analysis_model="y ~ treat + (1|school_id)")
        yield SimpleNamespace(users=users, member=member, check=check, alternatives=alternatives, trial=trial,
                              practice=practice, programme=programme, cycle=cycle)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


@pytest.fixture
def as_role(client, w):
    def login(role: str):
        if role != "anonymous":
            client.force_login(w.users[role])
        return client
    return login


def read_urls(w) -> list[str]:
    return [reverse("interventions:home"), reverse("interventions:intervention", args=[w.check.pk]),
            reverse("interventions:version", args=[w.check.pk, 1])]


def edit_urls(w) -> list[str]:
    return [reverse(name, args=[w.check.pk]) for name in (
        "interventions:intervention_edit", "interventions:logic_edit", "interventions:coproducer_add",
        "interventions:version_new")]


@pytest.mark.parametrize("role", ROLES)
def test_every_address_for_every_role(as_role, w, role):
    client = as_role(role)
    expected = {url: 200 for url in read_urls(w)}
    expected[reverse("interventions:intervention_new")] = 200 if role in ADDERS else 403
    expected |= {url: 200 if role in EDITORS else 403 for url in edit_urls(w)}
    for url, status in expected.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == status, (role, url)
    if role != "anonymous":  # the page offers exactly what the role may do
        page = client.get(reverse("interventions:intervention", args=[w.check.pk])).content.decode()
        assert (reverse("interventions:version_new", args=[w.check.pk]) in page) == (role in EDITORS)
        assert (reverse("interventions:trial_new", args=[w.check.pk]) in page) == (role in {"researcher", "admin"})
        home = client.get(reverse("interventions:home")).content.decode()
        assert (reverse("interventions:intervention_new") in home) == (role in ADDERS)


def test_a_member_below_level_c_neither_registers_nor_edits(as_role, w):
    client = as_role("bystander")
    assert client.get(reverse("interventions:home")).status_code == 200
    assert client.get(reverse("interventions:intervention_new")).status_code == 403
    before = Intervention.objects.count()
    client.post(reverse("interventions:intervention_new"), {"name": "Mine", "why": "x", "status": "draft"})
    client.post(reverse("interventions:intervention_edit", args=[w.check.pk]),
                {"name": "Renamed", "why": "x", "status": "draft"})
    assert Intervention.objects.count() == before
    assert Intervention.objects.get(pk=w.check.pk).name == "Check and connect"


@pytest.mark.parametrize("role", ["member", "researcher"])
def test_unknown_and_non_numeric_ids_are_404(as_role, w, role):
    client = as_role(role)
    for name in ("intervention", "intervention_edit", "logic_edit", "coproducer_add", "version_new"):
        assert client.get(reverse(f"interventions:{name}", args=[987654])).status_code == 404, name
    assert client.get(reverse("interventions:version", args=[987654, 1])).status_code == 404
    assert client.get(reverse("interventions:version", args=[w.check.pk, 99])).status_code == 404
    for tail in ("x/", "1.5/edit/", "abc/logic/", "-1/", "%20/coproducers/new/", "1e3/versions/new/",
                 f"{w.check.pk}/versions/one/", "0x10/"):
        assert client.get(f"/interventions/{tail}").status_code == 404, tail


@pytest.mark.parametrize(("params", "shown"), [
    ({}, {"Check and connect", "Alternatives to exclusion"}),
    ({"sector": "youth_justice"}, {"Alternatives to exclusion"}),
    ({"sector": "social_care"}, {"Check and connect"}),
    ({"outcome": "dropout"}, {"Check and connect"}),
    ({"outcome": "exclusion", "status": "draft"}, {"Alternatives to exclusion"}),
    ({"outcome": "exclusion", "status": "ready"}, set()),
    ({"level": "community"}, {"Alternatives to exclusion"}),
    ({"q": "MENTORS"}, {"Check and connect"}),  # in the summary, any case
    ({"sector": "nonsense"}, {"Check and connect", "Alternatives to exclusion"}),  # an invalid filter filters nothing
])
def test_filters_are_get_parameters(as_role, w, params, shown):
    response = as_role("member").get(reverse("interventions:home"), params)
    assert {row.name for row in response.context["rows"]} == shown
    page = response.content.decode()
    for name in {"Check and connect", "Alternatives to exclusion"} - shown:
        assert name not in page


def test_the_list_shows_sectors_outcomes_version_and_trials(as_role, w):
    response = as_role("member").get(reverse("interventions:home"))
    row = next(r for r in response.context["rows"] if r.pk == w.check.pk)
    assert row.sectors == ["education", "social_care"] and row.latest_version == 1 and row.n_trials == 1
    page = response.content.decode()
    card = page[page.index(f'data-intervention="{w.check.pk}"'):]
    card = card[:card.index("</article>")]
    for text in ("Children&#x27;s social care", "Education", "Attendance", "Early leaving", "Relational",
                 "Ready to evaluate", "Co-produced across sectors"):
        assert text in card, text
    assert reverse("interventions:trials") in page and reverse("interventions:power") in page


def test_registering_makes_version_one_with_its_snapshot(as_role, w):
    client = as_role("member")
    response = client.post(reverse("interventions:intervention_new"), {
        "name": "  Nurture groups ", "why": "Attachment", "dose": "Two sessions a week", "status": "draft",
        "outcomes": ["belonging", "attendance"], "level": "relational", "practices": [w.practice.pk],
        "programmes": [w.programme.pk], "par_cycles": [w.cycle.pk]})
    made = Intervention.objects.get(name="Nurture groups")
    assert response.status_code == 302 and response["Location"] == reverse("interventions:intervention",
                                                                           args=[made.pk])
    assert made.created_by == w.users["member"] and made.outcomes == ["attendance", "belonging"]
    assert list(made.practices.all()) == [w.practice] and list(made.par_cycles.all()) == [w.cycle]
    version = made.versions.get()
    assert version.number == 1 and version.snapshot["dose"] == "Two sessions a week"
    assert version.snapshot["logic"] == {"inputs": [], "activities": [], "outputs": [], "short_term": [],
                                         "long_term": []}


def test_the_form_numbers_the_tidier_items_in_four_fieldsets(as_role, w):
    page = as_role("researcher").get(reverse("interventions:intervention_new")).content.decode()
    legends = ["What", "Who, how and where", "When and how much", "Tailoring and fidelity", "Summary and aims",
               "Links"]
    positions = [page.index(f"<legend>{legend}</legend>") for legend in legends]
    assert positions == sorted(positions)
    items = [page.index(f"{n}. ") for n in range(1, 13)]
    assert items == sorted(items) and "12. How well: actual" in page
    edit = as_role("researcher").get(reverse("interventions:intervention_edit", args=[w.check.pk]))
    assert edit.context["form"].initial["providers"] == "Mentors"
    assert 'value="dropout" id="id_outcomes_3" checked' in edit.content.decode()


@pytest.mark.parametrize(("data", "field"), [
    ({"why": ""}, "why"), ({"name": ""}, "name"), ({"outcomes": ["happiness"]}, "outcomes"),
    ({"level": "cosmic"}, "level"), ({"status": "done"}, "status"), ({"dose": "x" * 3_001}, "dose"),
])
def test_a_refused_registration_names_its_field_and_writes_nothing(as_role, w, data, field):
    before = (Intervention.objects.count(), InterventionVersion.objects.count())
    response = as_role("staff_own").post(reverse("interventions:intervention_new"),
                                         {"name": "X", "why": "Y", "status": "draft", **data})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert (Intervention.objects.count(), InterventionVersion.objects.count()) == before


def test_a_practice_the_hub_has_not_accepted_is_no_link(as_role, w):
    Practice.objects.filter(pk=w.practice.pk).update(status="submitted")
    response = as_role("researcher").post(reverse("interventions:intervention_edit", args=[w.check.pk]), {
        "name": "Check and connect", "why": "x", "status": "ready", "practices": [w.practice.pk]})
    assert response.status_code == 400 and "practices" in response.context["form"].errors


def test_the_intervention_page(as_role, w):
    page = as_role("staff_other").get(reverse("interventions:intervention", args=[w.check.pk])).content.decode()
    assert '<tr data-item="2"><th scope="row">2. Why</th>' in page
    assert "Attachment to school predicts staying." in page
    materials = page[page.index('data-item="3"'):page.index('data-item="4"')]
    assert "not yet described" in materials
    assert page.count("not yet described") == 10  # items 3, 4, 6-12 and the empty logic model is said once
    assert 'data-badge="cross-sector"' in page and 'data-note="one-sector"' not in page
    social = page[page.index("<h3>Children&#x27;s social care</h3>"):]
    assert "Maria Social" in social.split("</ul>")[0] and "Co-designed it" in social.split("</ul>")[0]
    for url in (reverse("hub:practice", args=[w.practice.pk]), reverse("hub:programme", args=[w.programme.pk]),
                reverse("cocreation:par", args=[w.cycle.pk]), reverse("interventions:trial", args=[w.trial.pk]),
                reverse("interventions:version", args=[w.check.pk, 1])):
        assert url in page, url
    assert "Check trial" in page and "Cluster-randomised: schools (2 levels)" in page


def test_one_sector_gets_a_note_and_no_badge(as_role, w):
    page = as_role("member").get(reverse("interventions:intervention", args=[w.alternatives.pk])).content.decode()
    assert 'data-note="one-sector"' in page and 'data-badge="cross-sector"' not in page
    assert "Youth Justice Team" in page


def test_the_menu_names_interventions_for_signed_in_users_only(as_role, w, client):
    assert reverse("interventions:home") not in client.get(reverse("core:home")).content.decode()
    page = as_role("member").get(reverse("interventions:home")).content.decode()
    assert f'<a href="{reverse("interventions:home")}" aria-current="page">Interventions</a>' in page
    other = as_role("member").get(reverse("hub:home")).content.decode()
    assert f'<a href="{reverse("interventions:home")}">Interventions</a>' in other
