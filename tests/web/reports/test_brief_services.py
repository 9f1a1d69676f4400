"""Policy briefs' rules on a hand-made world (brief_world.py): only consensus statements of closed rounds and
signed-off strong/moderate programmes may be chosen; only a succeeded ecological or MAIHDA analysis; a published
brief never changes; publishing needs key messages, an analysis and a recommendation; endorsing needs level (d)
with current consent (once; withdrawable), and a withdrawn consent takes the endorsement out of the count; reach
groups countries under five downloads so no single reader stands out."""

from __future__ import annotations

import brief_world
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.demo.reports import demo_briefs_ensure
from safeschool.web.reports import selectors_briefs as selectors
from safeschool.web.reports import services_briefs as services
from safeschool.web.reports.models import Brief, Download, Endorsement

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for, cohort_files):
    computed = brief_world.results(cohort_files)
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("brief-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield brief_world.build(computed)
        transaction.set_rollback(True)


def _new(world, **changes):
    fields = {"user": world.researcher, "title": "A brief", "language": "en", "analysis": world.eco,
              "recommendations": [world.statements["S1"]], "programmes": [world.strong],
              "key_messages": "One message."} | changes
    return services.brief_create(**fields)


def test_only_consensus_of_a_closed_round_is_offered_and_accepted(world):
    offered = {s.code for s in selectors.consensus_statements()}
    assert offered == {"S1", "S2", "S3"}  # S4 was rated out; S5 is high only in the open round
    stats = selectors.consensus()[world.statements["S1"].pk]
    assert stats["median"] == 8 and stats["n"] == 7 and stats["round"] == 1
    for code in ("S4", "S5"):
        with pytest.raises(ValidationError) as refused:
            _new(world, recommendations=[world.statements[code]])
        assert "recommendations" in refused.value.message_dict


def test_programmes_offered_are_signed_off_strong_first_then_moderate(world):
    assert list(selectors.programmes_offered()) == [world.strong, world.moderate]
    for programme in (world.half, world.promising):
        with pytest.raises(ValidationError) as refused:
            _new(world, programmes=[programme])
        assert "programmes" in refused.value.message_dict


def test_the_analysis_must_be_a_succeeded_ecological_or_maihda_run(world):
    assert set(selectors.analyses_usable()) == {world.eco, world.maihda}
    for run in (world.failed, world.queued, None):
        with pytest.raises(ValidationError) as refused:
            _new(world, analysis=run)
        assert "analysis" in refused.value.message_dict


def test_default_recommendations_follow_the_levels_of_most_variance(world):
    levels = selectors.analysis_levels(world.eco)
    assert levels[0] == "individual"  # most of the variance lies between students
    shares = {v["level"]: v["vpc"] for v in world.eco.result["variance"] if v["step"] == "null model"}
    assert ("community" in levels) == (shares["school"] >= 0.10)
    assert [s.code for s in selectors.statements_addressing(world.eco)][0] == "S1"
    assert [s.code for s in selectors.statements_addressing(world.maihda)] == ["S1"]  # strata: individual level


def test_hostile_fields_are_refused_by_name(world):
    cases = {"title": {"title": "x" * 201}, "language": {"language": "xx"}, "country": {"country": "ZZ"},
             "key_messages": {"key_messages": "y" * 3001}, "findings": {"findings": "a\x00b"}}
    for field, change in cases.items():
        with pytest.raises(ValidationError) as refused:
            _new(world, **change)
        assert field in refused.value.message_dict, field
    with pytest.raises(PermissionDenied):
        _new(world, user=world.advocate.user)


def test_slugs_are_unique_and_never_a_reserved_address(world):
    first, second = _new(world, title="New"), _new(world, title="New")
    assert first.slug == "new-2" and second.slug == "new-3"  # "new" is the address of the form
    assert _new(world, title="¿¡!?").slug == "brief"


def test_a_published_brief_never_changes_and_publishing_needs_its_parts(world):
    draft = _new(world, key_messages="", recommendations=[])
    with pytest.raises(ValidationError) as refused:
        services.brief_publish(user=world.researcher, brief=draft)
    assert len(refused.value.messages) == 2  # key messages and a recommendation
    draft = services.brief_update(user=world.researcher, brief=draft, title="Now complete", language="en",
                                  analysis=world.eco, key_messages="Message.", recommendations=[world.statements["S2"]])
    published = services.brief_publish(user=world.researcher, brief=draft)
    assert published.status == "published" and published.published_at is not None
    with pytest.raises(ValidationError):
        services.brief_update(user=world.researcher, brief=published, title="Changed", language="en",
                              analysis=world.eco)
    assert Brief.objects.get(pk=published.pk).title == "Now complete"
    with pytest.raises(PermissionDenied):
        services.brief_publish(user=world.advocate.user, brief=world.draft)


def test_endorsing_needs_level_d_with_consent_once_and_can_be_withdrawn(world):
    brief = world.published
    for member, missing in ((world.level_a, "level (d) is needed"), (world.level_c, "level (d) is needed")):
        with pytest.raises(PermissionDenied) as refused:
            services.brief_endorse(user=member.user, brief=brief)
        assert missing in str(refused.value)
    with pytest.raises(PermissionDenied) as refused:
        services.brief_endorse(user=world.plain, brief=brief)
    assert "no network profile" in str(refused.value)
    with pytest.raises(PermissionDenied, match="published"):
        services.brief_endorse(user=world.advocate.user, brief=world.draft)
    services.brief_endorse(user=world.advocate.user, brief=brief)
    with pytest.raises(ValidationError):
        services.brief_endorse(user=world.advocate.user, brief=brief)
    assert Endorsement.objects.filter(brief=brief).count() == 1
    assert services.brief_endorsement_withdraw(user=world.advocate.user, brief=brief)
    assert not Endorsement.objects.filter(brief=brief).exists()
    assert not services.brief_endorsement_withdraw(user=world.advocate.user, brief=brief)


def test_endorsers_are_named_only_from_the_directory_and_a_withdrawn_consent_stops_counting(world):
    brief = world.published
    for member in (world.advocate, world.quiet, world.leaver):
        services.brief_endorse(user=member.user, brief=brief)
    assert selectors.endorsements(brief) == {"count": 3, "names": ["Dora-D", "a network member", "Lea-D"]}
    brief_world.withdraw_consent(world.leaver)
    assert selectors.endorsements(brief) == {"count": 2, "names": ["Dora-D", "a network member"]}
    with pytest.raises(PermissionDenied, match="consent"):
        services.brief_endorse(user=world.leaver.user, brief=world.published)


def test_downloads_are_counted_by_country_and_small_countries_grouped(world):
    brief = world.published
    for _ in range(5):
        services.download_record(brief, "pdf", world.advocate.user)  # PT: 5, shown
    for _ in range(4):
        services.download_record(brief, "html", world.quiet.user)  # PL: 4, grouped
    services.download_record(brief, "pdf", world.leaver.user)  # RO: 1, grouped
    services.download_record(brief, "pdf", world.researcher)  # no member profile: not known
    services.download_record(brief, "pdf", AnonymousUser())
    assert services.download_record(world.draft, "pdf", world.researcher) is None  # a draft has no reach
    reach = selectors.reach(brief)
    assert reach["total"] == 12 and reach["countries"] == [("Portugal", 5)]
    assert reach["grouped"] == 5 and reach["unknown"] == 2
    assert dict(reach["formats"]) == {"HTML": 4, "PDF": 8}
    assert "fewer than 5" in reach["note"]
    assert set(Download.objects.filter(brief=brief).values_list("country", flat=True)) == {"PT", "PL", "RO", ""}
    with pytest.raises(ValidationError):
        services.download_record(brief, "exe", world.researcher)


def test_the_demo_publishes_an_endorsed_brief_and_a_spanish_draft(world):
    Brief.objects.all().delete()
    user_create(username="researcher", password="pw-long-enough-1", role=Role.RESEARCHER)
    note = demo_briefs_ensure()
    english, spanish = Brief.objects.get(language="en"), Brief.objects.get(language="es")
    assert english.status == "published" and english.country == "" and english.analysis == world.eco
    assert 2 <= english.recommendations.count() <= 3 and english.programmes.count() == 2
    assert "associations, not proven effects" in english.key_messages
    assert spanish.status == "draft" and spanish.country == "ES"
    assert selectors.endorsements(english)["count"] == 3  # the world's three advocates
    assert "published" in note and "3 endorsements" in note
    assert demo_briefs_ensure() == "" and Brief.objects.count() == 2  # made once
