"""A Delphi rating cannot be changed through the Django admin, even by a superuser."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import services
from safeschool.web.cocreation.models import Rating
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db


def test_a_rating_is_read_only_in_the_admin(client):
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    member = network.member_join(username="p0", password="pw-long-enough-1", email="p0@example.org",
                                 display_name="P0", stakeholder_type="teacher", country="ES",
                                 birth_year=date.today().year - 40, level="c", consent=True)
    study = services.study_create(user=researcher, title="Study", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=[member])
    services.statement_add(user=researcher, study=study, code="S1", text="A caring adult.", level="relational")
    round_ = services.round_open(user=researcher, study=study)
    services.rating_submit(user=member.user, round=round_, statement=round_.statements.get(), value=8, comment="")
    rating = Rating.objects.get()
    client.force_login(user_create(username="boss", password="pw-long-enough-1", role=Role.ADMIN))
    url = reverse("admin:cocreation_rating_change", args=[rating.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page and "read-only" in page
    assert client.post(url, {"value": "1", "_save": "Save"}).status_code == 403
    rating.refresh_from_db()
    assert rating.value == 8
