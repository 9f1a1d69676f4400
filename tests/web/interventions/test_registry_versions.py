"""Versions, the logic model and co-producers of a registered intervention: a new version needs its context, what
changed and why (refused on the form with nothing written, and by the database), stores its snapshot and updates
the intervention in one step, and its page shows the difference against the one before; the logic model's lines
are added, removed and reordered; co-producers come from the directory (any member for a researcher); a
co-producing member who withdrew consent edits nothing, even what they registered; and "Download all my data"
holds a member's co-productions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import services_registry as services
from safeschool.web.interventions.models import CoProducer, Intervention, InterventionVersion, LogicModelItem
from safeschool.web.network import selectors as network_selectors
from safeschool.web.network import services as network
from safeschool.web.network.models import Member

VERSION = {"name": "Check and connect", "why": "Attachment to school", "providers": "Mentors",
           "context": "Secondary schools in Romania", "changes": "Mentors are school counsellors",
           "reasons": "No mentors' budget"}


def member_make(user, *, name: str, in_directory: bool = True) -> Member:
    member = Member.objects.create(user=user, display_name=name, stakeholder_type="practitioner", country="RO",
                                   birth_year=1980, level="c", in_directory=in_directory)
    network.consent_give(member=member)
    return member


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("versions-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        users = {name: user_create(username=f"ver-{name}", password=None, role=role) for name, role in (
            ("author", Role.MEMBER), ("listed", Role.MEMBER), ("unlisted", Role.MEMBER),
            ("researcher", Role.RESEARCHER))}
        author = member_make(users["author"], name="Ana Author")
        listed = member_make(users["listed"], name="Lia Listed")
        unlisted = member_make(users["unlisted"], name="Uma Unlisted", in_directory=False)
        intervention = services.intervention_create(user=users["author"], data={
            "name": "Check and connect", "why": "Attachment to school", "providers": "Mentors",
            "status": "draft", "outcomes": ["dropout"]})
        CoProducer.objects.create(intervention=intervention, member=author, sector="education")
        yield SimpleNamespace(users=users, author=author, listed=listed, unlisted=unlisted, pk=intervention.pk)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return SimpleNamespace(**vars(world), intervention=Intervention.objects.get(pk=world.pk))


def as_user(client, user):
    client.force_login(user)
    return client


def written(intervention) -> tuple:
    intervention.refresh_from_db()
    return (InterventionVersion.objects.filter(intervention=intervention).count(), intervention.providers)


@pytest.mark.parametrize("missing", ["context", "changes", "reasons"])
def test_a_version_without_its_adaptation_is_refused_and_nothing_written(client, w, missing):
    before = written(w.intervention)
    response = as_user(client, w.users["author"]).post(
        reverse("interventions:version_new", args=[w.pk]), {**VERSION, missing: "  "})
    assert response.status_code == 400 and missing in response.context["form"].errors
    assert written(w.intervention) == before == (1, "Mentors")
    with pytest.raises(Exception, match="all three"):  # the service refuses it too
        services.version_create(user=w.users["author"], intervention=w.intervention, fields={"providers": "x"},
                                **{k: VERSION[k] for k in ("context", "changes", "reasons")} | {missing: ""})
    assert written(w.intervention) == before


def test_the_database_refuses_a_later_version_without_what_and_why(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionVersion.objects.create(intervention=w.intervention, number=2, context="x")


def test_a_version_stores_its_snapshot_updates_the_intervention_and_shows_the_difference(client, w):
    LogicModelItem.objects.create(intervention=w.intervention, stage="inputs", text="Two mentors", order=0)
    response = as_user(client, w.users["author"]).post(reverse("interventions:version_new", args=[w.pk]),
                                                       {**VERSION, "providers": "School counsellors"})
    assert response.status_code == 302
    assert response["Location"] == reverse("interventions:version", args=[w.pk, 2])
    version = InterventionVersion.objects.get(intervention=w.intervention, number=2)
    assert version.snapshot["providers"] == "School counsellors" and version.snapshot["why"] == "Attachment to school"
    assert version.snapshot["logic"]["inputs"] == ["Two mentors"]
    assert (version.context, version.changes, version.reasons, version.created_by) == (
        "Secondary schools in Romania", "Mentors are school counsellors", "No mentors' budget", w.users["author"])
    assert written(w.intervention) == (2, "School counsellors")
    page = client.get(response["Location"])
    changed = {row["field"] for row in page.context["diff"] if row["changed"]}
    assert changed == {"providers", "logic:inputs"}
    assert "Logic model: Inputs" in page.content.decode() and "safeschool Check and connect" not in page.content.decode()
    html = page.content.decode()
    row = html[html.index('data-field="providers"'):]
    row = row[:row.index("</tr>")]
    assert 'class="changed"' in row and "Mentors" in row and "School counsellors" in row
    why = html[html.index('data-field="why"'):]
    assert "unchanged" in why[:why.index("</tr>")]
    # the intervention page's adaptation log
    detail = client.get(reverse("interventions:intervention", args=[w.pk])).content.decode()
    log = detail[detail.index('data-version="2"'):]
    log = log[:log.index("</tr>")]
    for text in ("Secondary schools in Romania", "Mentors are school counsellors", "No mentors&#x27; budget",
                 "ver-author"):
        assert text in log, text


def test_a_version_that_changes_nothing_is_refused(client, w):
    response = as_user(client, w.users["author"]).post(reverse("interventions:version_new", args=[w.pk]), VERSION)
    assert response.status_code == 400 and "Nothing changed since version 1" in response.content.decode()
    assert written(w.intervention) == (1, "Mentors")


def test_a_correction_leaves_the_versions_as_they_were(client, w):
    r = as_user(client, w.users["author"]).post(reverse("interventions:intervention_edit", args=[w.pk]), {
        "name": "Check and connect", "why": "Attachment to school", "providers": "Mentorss", "status": "draft"})
    assert r.status_code == 302, r.context["form"].errors
    assert written(w.intervention) == (1, "Mentorss")
    assert InterventionVersion.objects.get(intervention=w.intervention).snapshot["providers"] == "Mentors"
    page = client.get(reverse("interventions:intervention", args=[w.pk])).content.decode()
    assert "corrected after version 1" in page


def logic_post(stage_lines: dict[str, list[tuple[str, str, bool]]]) -> dict:
    """A POST of the five formsets: per stage, lines of (text, order, delete)."""
    data = {}
    for stage in ("inputs", "activities", "outputs", "short_term", "long_term"):
        lines = stage_lines.get(stage, [])
        data |= {f"{stage}-TOTAL_FORMS": str(len(lines)), f"{stage}-INITIAL_FORMS": "0",
                 f"{stage}-MIN_NUM_FORMS": "0", f"{stage}-MAX_NUM_FORMS": "1000"}
        for i, (text, order, delete) in enumerate(lines):
            data |= {f"{stage}-{i}-text": text, f"{stage}-{i}-ORDER": order}
            if delete:
                data[f"{stage}-{i}-DELETE"] = "on"
    return data


def test_the_logic_model_adds_removes_and_reorders_lines(client, w):
    client = as_user(client, w.users["author"])
    url = reverse("interventions:logic_edit", args=[w.pk])
    response = client.post(url, logic_post({
        "inputs": [("Mentors", "2", False), ("Funding", "1", False), ("Dropped", "3", True), ("", "", False)],
        "long_term": [("Fewer early leavers", "", False)]}))
    assert response.status_code == 302
    lines = {(i.stage, i.text): i.order for i in LogicModelItem.objects.filter(intervention=w.intervention)}
    assert lines == {("inputs", "Funding"): 0, ("inputs", "Mentors"): 1, ("long_term", "Fewer early leavers"): 0}
    page = client.get(url).content.decode()  # the form shows them again, in order, with empty lines to add
    assert page.index(">Funding</textarea>") < page.index(">Mentors</textarea>")
    assert 'name="inputs-TOTAL_FORMS" value="4"' in page
    detail = client.get(reverse("interventions:intervention", args=[w.pk])).content.decode()
    flow = detail[detail.index('class="logic-flow"'):detail.index("</ol>")]
    assert flow.index("<h3>Inputs</h3>") < flow.index("Funding") < flow.index("Mentors") < flow.index(
        "<h3>Activities</h3>") < flow.index("<h3>Long-term outcomes</h3>") < flow.index("Fewer early leavers")
    too_long = client.post(url, logic_post({"outputs": [("x" * 501, "", False)]}))
    assert too_long.status_code == 400
    assert LogicModelItem.objects.filter(intervention=w.intervention).count() == 3


def test_co_producers_come_from_the_directory_and_a_researcher_may_name_anyone(client, w):
    url = reverse("interventions:coproducer_add", args=[w.pk])
    author = as_user(client, w.users["author"])
    refused = author.post(url, {"member": w.unlisted.pk, "sector": "send"})
    assert refused.status_code == 400 and "member" in refused.context["form"].errors
    assert author.post(url, {"sector": "send"}).status_code == 400  # neither a member nor an organisation
    again = author.post(url, {"member": w.author.pk, "sector": "send"})
    assert again.status_code == 400 and "already co-produces" in again.content.decode()
    assert author.post(url, {"member": w.listed.pk, "sector": "send", "role": "SENCo"}).status_code == 302
    assert author.post(url, {"organisation": "Youth Offending Team", "sector": "youth_justice"}).status_code == 302
    researcher = as_user(client, w.users["researcher"])
    assert researcher.post(url, {"member": w.unlisted.pk, "sector": "social_care"}).status_code == 302
    rows = set(CoProducer.objects.filter(intervention=w.intervention).values_list("member__display_name",
                                                                                   "organisation", "sector"))
    assert rows == {("Ana Author", "", "education"), ("Lia Listed", "", "send"), (None, "Youth Offending Team",
                    "youth_justice"), ("Uma Unlisted", "", "social_care")}


def test_a_co_producer_who_withdrew_consent_edits_nothing(client, w):
    """The author registered it and co-produces it: both rules would let them edit, the withdrawal stops both."""
    network.consent_withdraw(member=w.author, kind="membership")
    client = as_user(client, w.users["author"])
    for name in ("intervention_edit", "logic_edit", "coproducer_add", "version_new"):
        assert client.get(reverse(f"interventions:{name}", args=[w.pk])).status_code == 403, name
    client.post(reverse("interventions:version_new", args=[w.pk]), {**VERSION, "providers": "Anyone"})
    client.post(reverse("interventions:logic_edit", args=[w.pk]), logic_post({"inputs": [("x", "", False)]}))
    assert written(w.intervention) == (1, "Mentors") and not w.intervention.logic_items.exists()
    with pytest.raises(PermissionDenied):
        services.intervention_update(user=w.users["author"], intervention=w.intervention, data={"providers": "x"})
    with pytest.raises(PermissionDenied):
        services.intervention_create(user=w.users["author"], data={"name": "x", "why": "y", "status": "draft"})
    page = client.get(reverse("interventions:intervention", args=[w.pk])).content.decode()
    assert reverse("interventions:version_new", args=[w.pk]) not in page
    network.consent_give(member=w.author)  # given again, they edit again
    assert client.get(reverse("interventions:version_new", args=[w.pk])).status_code == 200


def test_download_all_my_data_holds_the_co_productions(w):
    CoProducer.objects.create(intervention=w.intervention, member=w.listed, sector="send", role="SENCo")
    data = network_selectors.member_export(user=w.users["listed"])
    assert data["coproductions"] == [{"intervention": "Check and connect", "sector": "send", "organisation": "",
                                      "role": "SENCo"}]
    assert network_selectors.member_export(user=w.users["unlisted"])["coproductions"] == []
