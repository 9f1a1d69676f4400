"""What the trial-design, power and protocol page tests share besides their fixtures (conftest.py): the roles, the
cohort's size, and helpers that make a trial and a design form's data."""

from __future__ import annotations

from django.utils import timezone

from safeschool.cohort import Sizes
from safeschool.web.interventions.models import Intervention, Protocol, Trial

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
SIZES = Sizes(countries=2, schools=12, classes=24, teachers=24, students=480, waves=2)


def make_trial(world, *, design="crt2", lock=False, schools=6) -> Trial:
    intervention = Intervention.objects.get(pk=world.intervention)
    trial = Trial.objects.create(intervention=intervention, title="Trial A", design=design, unit="school",
                                 primary_outcome="achievement", covariates=["ses_index"],
                                 analysis_model="achievement ~ treat + ses_index + (1|school_id)")
    trial.schools.set(world.schools[:schools])
    protocol = Protocol.objects.create(trial=trial, content={"stopping_rules": "x", "missing_data": "y"})
    if lock:
        Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash="c" * 64)
    return trial


def form_data(world, **over) -> dict:
    data = {"title": "Evaluation of check and connect", "design": "crt2", "block_by": "country",
            "primary_outcome": "achievement", "covariates": ["ses_index", "gender"], "schools": world.schools[:8],
            "analysis_model": ""}
    data.update(over)
    return data
