"""Research data is read-only in the Django admin, even for a superuser; users and content stay editable."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from safeschool.web.cocreation.models import PairedChange, Rating, RatingCount
from safeschool.web.core.admin import ResearchDataAdmin
from safeschool.web.imports.models import ImportBatch, ImportChange, SurveyResponse
from safeschool.web.research import models as research


def assert_read_only(client, obj, field: str):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in body and "read-only" in body
    before = getattr(type(obj).objects.get(pk=obj.pk), field)
    assert client.post(url, {field: "0", "_save": "Save"}).status_code == 403
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == before
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403 and type(obj).objects.filter(pk=obj.pk).exists()
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403


@pytest.mark.parametrize(("model", "field"), [(research.StudentScales, "security"), (research.Outcome, "achievement"),
                                              (research.Student, "age"), (research.TeacherScales, "self_efficacy")])
def test_research_data_is_read_only_for_a_superuser(client_as, model, field):
    assert_read_only(client_as("admin"), model.objects.order_by("pk").first(), field)


def test_every_research_data_model_is_read_only():
    for model in (research.Country, research.School, research.SchoolClass, research.Teacher, research.Student,
                  research.TeachingAssignment, research.Wave, research.StudentScales, research.TeacherScales,
                  research.Outcome, research.CohortLoad, Rating, RatingCount, PairedChange, SurveyResponse,
                  ImportBatch, ImportChange):
        assert isinstance(admin.site._registry[model], ResearchDataAdmin), model


def test_users_and_appointments_stay_editable(client_as, users):
    client = client_as("admin")
    page = client.get(reverse("admin:auth_user_change", args=[users["member"].pk])).content.decode()
    assert 'name="_save"' in page
    assert not isinstance(admin.site._registry[research.StaffAppointment], ResearchDataAdmin)
