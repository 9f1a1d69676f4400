"""Delphi feedback never shows a small stakeholder group's ratings: it is merged into 'other groups', with
the next-smallest groups when needed so that the overall row minus the groups shown gives nothing back."""

from __future__ import annotations

from datetime import date

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import selectors, services
from safeschool.web.cocreation.selectors import OTHER_GROUPS, feedback_groups
from safeschool.web.network import services as network

ADULT = date.today().year - 40


def test_small_groups_merge_with_the_next_smallest_until_they_reach_the_minimum():
    assert feedback_groups({"teacher": 6, "family": 5, "policymaker": 1}, minimum=5) == (
        ["teacher"], ["family", "policymaker"])
    assert feedback_groups({"teacher": 6, "family": 5, "policymaker": 7}, minimum=5) == (
        ["family", "policymaker", "teacher"], [])
    assert feedback_groups({"teacher": 6, "family": 3, "ngo": 2}, minimum=5) == (["teacher"], ["family", "ngo"])
    assert feedback_groups({"teacher": 6, "family": 4}, minimum=5) == ([], ["family", "teacher"])


@pytest.mark.django_db
def test_a_single_policymakers_rating_is_not_shown_to_the_panel(settings):
    settings.DELPHI_MIN_FEEDBACK_GROUP = 5
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    panel = [network.member_join(username=f"p{i}", password="pw-long-enough-1", email=f"p{i}@example.org",
                                 display_name=f"Panellist {i}", stakeholder_type=kind, country="ES",
                                 birth_year=ADULT, level="c", consent=True)
             for i, kind in enumerate(["teacher"] * 6 + ["family"] * 5 + ["policymaker"])]
    study = services.study_create(user=researcher, title="Principles", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=panel)
    services.statement_add(user=researcher, study=study, code="S1", text="Families decide.", level="relational")
    services.statement_add(user=researcher, study=study, code="S2", text="Schools decide.", level="relational")
    r1 = services.round_open(user=researcher, study=study)
    s1 = r1.statements.get(code="S1")
    for i, member in enumerate(panel):
        value = 1 if i == len(panel) - 1 else 5  # the policymaker alone rates 1
        services.rating_submit(user=member.user, round=r1, statement=s1, value=value)
    services.round_close(user=researcher, round=r1)
    r2 = services.round_open(user=researcher, study=study)
    row = selectors.feedback(study=study, panellist=study.panel.get(member=panel[0]), round=r2)[0]
    assert "policymaker" not in row["by_group"] and "family" not in row["by_group"]
    assert row["by_group"]["teacher"][4] == 6
    assert row["by_group"][OTHER_GROUPS][0] == 1 and row["by_group"][OTHER_GROUPS][4] == 5
    assert sum(map(sum, row["by_group"].values())) == sum(row["overall"])  # nothing left to subtract
    settings.DELPHI_MIN_FEEDBACK_GROUP = 1
    row = selectors.feedback(study=study, panellist=study.panel.get(member=panel[0]), round=r2)[0]
    assert row["by_group"]["policymaker"][0] == 1
