"""Trial design pages: who may open each page (every role), unknown and non-numeric ids, a design made through the
form (unit from the design, the analysis model generated, a bad formula refused), and edits after the protocol is
locked: refused without a reason (nothing changes), recorded as one deviation per changed field with one."""

from __future__ import annotations

import re

import pytest
from design_world import ROLES, form_data, make_trial
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeschool.web.interventions import services_trials
from safeschool.web.interventions.models import Deviation, Protocol, Trial
from safeschool.web.research.models import School

# ----------------------------------------------------------------------------------------------- roles
READ = {"anonymous": 302, "member": 200, "staff_own": 200, "staff_other": 200, "researcher": 200, "admin": 200}
DESIGN = {"anonymous": 302, "member": 403, "staff_own": 403, "staff_other": 403, "researcher": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_per_role(as_role, world, role):
    trial = make_trial(world)
    locked = make_trial(world, lock=True)
    c = as_role(role)
    expected = {
        reverse("interventions:trials"): READ,
        reverse("interventions:trial", args=[trial.pk]): READ,
        reverse("interventions:trial_new", args=[world.intervention]): DESIGN,
        reverse("interventions:trial_edit", args=[trial.pk]): DESIGN,
        reverse("interventions:protocol", args=[trial.pk]): DESIGN,  # a draft is the researchers'
        reverse("interventions:protocol", args=[locked.pk]): READ,  # a locked protocol is everyone's
        reverse("interventions:deviation_new", args=[locked.pk]): DESIGN,
    }
    for url, statuses in expected.items():
        assert c.get(url).status_code == statuses[role], url
    # writes: a POST by anyone but a researcher or an administrator changes nothing
    lock = c.post(reverse("interventions:protocol_lock", args=[trial.pk]), {"confirm": "on"})
    assert lock.status_code == {"anonymous": 302, "researcher": 302, "admin": 302}.get(role, 403)
    if role not in ("researcher", "admin"):
        assert not Protocol.objects.get(trial=trial).locked
        made = c.post(reverse("interventions:trial_new", args=[world.intervention]), form_data(world))
        assert made.status_code in (302, 403) and Trial.objects.count() == 2


@pytest.mark.parametrize("name", ["trial", "trial_edit", "trial_power", "protocol", "protocol_lock",
                                  "protocol_json", "deviation_new", "trial_new"])
def test_unknown_and_non_numeric_ids_are_404(as_role, world, name):
    c = as_role("researcher")
    fetch = c.post if name == "protocol_lock" else c.get
    assert fetch(reverse(f"interventions:{name}", args=[987654])).status_code == 404
    path = reverse(f"interventions:{name}", args=[1]).replace("/1/", "/x1/")
    assert fetch(path).status_code == 404


def test_the_list_shows_each_trial_with_its_schools_and_outcome(as_role, world):
    make_trial(world, design="crt3", schools=5)
    page = as_role("member").get(reverse("interventions:trials")).content.decode()
    assert "Trial A" in page and "Check and connect" in page and "students in classes" in page
    assert '<td class="num" data-label="Schools">5</td>' in page and "Achievement" in page


# ---------------------------------------------------------------------------------------------- design
def test_a_design_made_through_the_form(as_role, world):
    c = as_role("researcher")
    page = c.get(reverse("interventions:trial_new", args=[world.intervention])).content.decode()
    assert "Within each school, some classes get the intervention" in page  # each design explained
    assert page.count('name="schools"') == 1 and page.count("<option value=") >= len(world.schools)
    assert "Socio-economic status (index)" in page  # covariates labelled as analyses label them
    r = c.post(reverse("interventions:trial_new", args=[world.intervention]), form_data(world, design="bcrt3"))
    assert r.status_code == 302, r.content.decode()[:3000]
    trial = Trial.objects.latest("pk")
    assert trial.unit == "class" and trial.schools.count() == 8 and trial.status == "designing"
    assert trial.analysis_model == "achievement ~ treat + ses_index + gender + (1|school_id/class_id)"
    assert Protocol.objects.get(trial=trial).locked_at is None
    detail = c.get(r.url).content.decode()
    assert trial.analysis_model in detail and "Gender" in detail


def test_the_outcome_at_baseline_is_a_covariate_of_the_model_but_not_for_early_leaving(as_role, world):
    c = as_role("researcher")
    page = c.get(reverse("interventions:trial_new", args=[world.intervention])).content.decode()
    assert 'value="baseline"' in page and "Outcome at baseline (column baseline)" in page
    r = c.post(reverse("interventions:trial_new", args=[world.intervention]),
               form_data(world, covariates=["baseline", "ses_index"]))
    assert r.status_code == 302, r.content.decode()[:3000]
    trial = Trial.objects.latest("pk")
    assert trial.covariates == ["baseline", "ses_index"]
    assert trial.analysis_model == "achievement ~ treat + baseline + ses_index + (1|school_id)"
    assert "Outcome at baseline (column baseline)" in c.get(r.url).content.decode()
    with pytest.raises(ValidationError) as refused:
        services_trials.check_design(intervention=trial.intervention, version=None, design="crt2", block_by="",
                                     primary_outcome="dropout", secondary_outcomes=[], covariates=["baseline"],
                                     stages=[], countries=[], schools=[], steps=None,
                                     analysis_model="dropout ~ treat + baseline + (1|school_id)")
    assert "no baseline" in str(refused.value.message_dict["covariates"])


@pytest.mark.parametrize(("over", "field"), [
    ({"analysis_model": "achievement ~ treat + (1|school_id"}, "analysis_model"),
    ({"analysis_model": "belonging ~ treat + (1|school_id)"}, "analysis_model"),  # not the primary outcome
    ({"design": "sw"}, "steps"),
    ({"design": "bcrt2", "block_by": ""}, "block_by"),
    ({"secondary_outcomes": ["achievement"]}, "secondary_outcomes"),
])
def test_a_bad_design_is_a_form_error(as_role, world, over, field):
    r = as_role("researcher").post(reverse("interventions:trial_new", args=[world.intervention]),
                                   form_data(world, **over))
    assert r.status_code == 400 and field in r.context["form"].errors and Trial.objects.count() == 0


def test_schools_outside_the_trials_countries_are_refused_and_the_list_is_filtered(as_role, world):
    c = as_role("researcher")
    inside = School.objects.filter(pk__in=world.schools).order_by("code").first()
    outside = School.objects.exclude(country=inside.country).first()
    r = c.post(reverse("interventions:trial_new", args=[world.intervention]),
               form_data(world, countries=[inside.country.code], schools=[inside.pk, outside.pk]))
    assert r.status_code == 400 and outside.name in " ".join(r.context["form"].errors["schools"])
    shown = c.get(reverse("interventions:trial_new", args=[world.intervention]),
                  {"countries": [inside.country.code], "refresh": "1"}).content.decode()
    shown = re.search(r'<select name="schools".*?</select>', shown, re.S).group(0)
    assert f'value="{inside.pk}"' in shown and f'value="{outside.pk}"' not in shown


# ------------------------------------------------------------------------------------ edits after the lock
def test_editing_a_locked_trial_needs_a_reason_and_records_deviations(as_role, world):
    trial = make_trial(world, lock=True)
    c = as_role("researcher")
    url = reverse("interventions:trial_edit", args=[trial.pk])
    changed = form_data(world, title="Trial A", design="crt3", schools=world.schools[:6], block_by="",
                        covariates=["ses_index"])
    r = c.post(url, changed)
    assert r.status_code == 400 and "reason" in r.context["form"].errors
    trial.refresh_from_db()
    assert trial.design == "crt2" and not Deviation.objects.exists()
    r = c.post(url, {**changed, "reason": "Classes differ more than expected"})
    assert r.status_code == 302
    trial.refresh_from_db()
    assert trial.design == "crt3" and trial.analysis_model.endswith("(1|school_id/class_id)")
    fields = set(Deviation.objects.filter(protocol__trial=trial).values_list("field", flat=True))
    assert fields == {"design", "analysis_model"}  # one per changed field (the unit stays "school")
    page = c.get(reverse("interventions:trial", args=[trial.pk])).content.decode()
    assert page.count("Classes differ more than expected") == 2 and "crt2 → crt3" in page


def test_an_edit_before_the_lock_records_nothing(as_role, world):
    trial = make_trial(world)
    r = as_role("admin").post(reverse("interventions:trial_edit", args=[trial.pk]),
                              form_data(world, title="Trial B", schools=world.schools[:6], block_by=""))
    assert r.status_code == 302
    trial.refresh_from_db()
    assert trial.title == "Trial B" and trial.covariates == ["ses_index", "gender"] and not Deviation.objects.exists()
