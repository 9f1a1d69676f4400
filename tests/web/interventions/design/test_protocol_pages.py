"""The protocol page: what is missing before the lock, the researcher's rules, "Lock and register" stamping the time
and the SHA-256 of the protocol's canonical JSON (recomputed here from the download), a locked protocol that can
be neither re-locked nor edited through the web, and deviations recorded by hand listed on the trial page."""

from __future__ import annotations

import hashlib
import json

import pytest
from design_world import make_trial
from django.urls import reverse

from safeschool.trials.protocol import content_hash
from safeschool.web.interventions.models import Deviation, Protocol, Trial

POWER = {"design": "crt2", "solve": "mdes", "clusters": 12, "cluster_size": 40, "icc": 0.15, "r2_1": 0.2,
         "r2_2": 0.3, "r2_3": 0, "covariates": 0, "p": 0.5, "alpha": 0.05, "power": 0.8, "save": "1"}


def test_lock_stamps_the_documented_hash_and_then_nothing_changes(as_role, world):
    trial = make_trial(world)
    Protocol.objects.filter(trial=trial).update(content={})
    c = as_role("researcher")
    url = reverse("interventions:protocol", args=[trial.pk])
    page = c.get(url).content.decode()
    assert "Minimum detectable effect size: not stated yet." in page and "Stopping rules: not stated yet." in page
    c.post(reverse("interventions:protocol_lock", args=[trial.pk]), {"confirm": "on"})
    assert not Protocol.objects.get(trial=trial).locked  # refused: things are missing
    assert c.post(reverse("interventions:trial_power", args=[trial.pk]), POWER).status_code == 302
    r = c.post(url, {"stopping_rules": "Stop if schools report harm.", "missing_data": "Complete cases."})
    assert r.status_code == 302
    assert c.post(reverse("interventions:protocol_lock", args=[trial.pk]), {}).status_code == 302
    assert not Protocol.objects.get(trial=trial).locked  # the box was not ticked
    c.post(reverse("interventions:protocol_lock", args=[trial.pk]), {"confirm": "on"})
    protocol = Protocol.objects.get(trial=trial)
    trial.refresh_from_db()
    assert protocol.locked and trial.status == "registered"
    download = c.get(reverse("interventions:protocol_json", args=[trial.pk]))
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert hashlib.sha256(body).hexdigest() == protocol.content_hash == content_hash(json.loads(body))
    content = json.loads(body)
    assert content["design"] == "crt2" and content["stopping_rules"] == "Stop if schools report harm."
    assert content["mdes"] == pytest.approx(Trial.objects.get(pk=trial.pk).power["result"]["mdes"])
    assert content["analysis_population"] == "intention_to_treat" and content["power"] == 0.8
    page = as_role("member").get(url).content.decode()  # a locked protocol is everyone's to read
    assert protocol.content_hash in page
    # neither re-locked nor edited through the web
    c = as_role("researcher")
    c.post(reverse("interventions:protocol_lock", args=[trial.pk]), {"confirm": "on"})
    r = c.post(url, {"stopping_rules": "Never stop.", "missing_data": "Impute."})
    assert r.status_code == 400 and "locked" in r.content.decode()
    again = Protocol.objects.get(trial=trial)
    assert (again.content, again.content_hash, again.locked_at) == (protocol.content, protocol.content_hash,
                                                                     protocol.locked_at)


def test_a_deviation_is_recorded_after_the_lock_only_and_shown_on_the_trial_page(as_role, world):
    draft, locked = make_trial(world), make_trial(world, lock=True)
    c = as_role("admin")
    data = {"field": "schools", "change": "School 3 left the trial", "reason": "It closed"}
    r = c.post(reverse("interventions:deviation_new", args=[draft.pk]), data)
    assert r.status_code == 400 and not Deviation.objects.exists()
    r = c.post(reverse("interventions:deviation_new", args=[locked.pk]), {**data, "reason": ""})
    assert r.status_code == 400 and not Deviation.objects.exists()
    assert c.post(reverse("interventions:deviation_new", args=[locked.pk]), data).status_code == 302
    page = as_role("staff_own").get(reverse("interventions:trial", args=[locked.pk])).content.decode()
    assert "School 3 left the trial" in page and "It closed" in page and "Participating schools" in page


def test_a_json_download_needs_a_locked_protocol(as_role, world):
    draft = make_trial(world)
    assert as_role("researcher").get(reverse("interventions:protocol_json", args=[draft.pk])).status_code == 404
