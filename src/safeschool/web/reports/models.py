"""Policy briefs: a short document built from one analysis (an ecological decomposition or a MAIHDA run), the
Delphi-validated recommendations that address it, the programmes with the strongest evidence (rubric criterion
B), the official indicator and the team's narrative. Advocates (network level d, with current consent) endorse a
published brief; downloads are counted by the reader's country (a signed-in member's, else "not known"), never
linked to a person. School, country and annual reports are generated from the data when asked for and are not
stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.cocreation.models import Statement
from safeschool.web.hub.models import Programme
from safeschool.web.network.models import Member


class BriefStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Brief(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    country = models.CharField(max_length=5, blank=True, help_text=_("The country the brief speaks to (its official "
                                                                      "indicator); empty for the whole network."))
    analysis = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="briefs")
    key_messages = models.TextField(max_length=3_000, help_text=_("Three to five sentences a reader takes away."))
    context = models.TextField(max_length=6_000, blank=True, help_text=_("Why this matters now."))
    findings = models.TextField(max_length=6_000, blank=True, help_text=_("What the analysis shows, in words."))
    implications = models.TextField(max_length=6_000, blank=True, help_text=_("What policy and practice can do."))
    limitations = models.TextField(max_length=4_000, blank=True,
                                   help_text=_("What the data cannot show, beyond what the brief states itself."))
    recommendations = models.ManyToManyField(Statement, blank=True, related_name="briefs",
                                             help_text=_("Delphi statements that reached consensus."))
    programmes = models.ManyToManyField(Programme, blank=True, related_name="briefs")
    status = models.CharField(max_length=10, choices=BriefStatus.choices, default=BriefStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BriefStatus.values), name="reports_brief_status"),
            models.CheckConstraint(condition=Q(status=BriefStatus.DRAFT) | Q(published_at__isnull=False),
                                   name="reports_brief_published_dated"),
        ]

    def __str__(self) -> str:
        return self.title


class Endorsement(models.Model):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="endorsements")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="brief_endorsements")
    endorsed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["endorsed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["brief", "member"], name="reports_endorsement_once")]

    def __str__(self) -> str:
        return f"{self.member} endorses {self.brief}"


class Download(models.Model):
    """One download of a brief, by country and format only (no person, no address)."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="downloads")
    country = models.CharField(max_length=5, blank=True, help_text=_("The signed-in member's country; empty when "
                                                                      "not known."))
    format = models.CharField(max_length=4, choices=[("pdf", _("PDF")), ("html", _("HTML"))])
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["brief", "country"])]

    def __str__(self) -> str:
        return f"{self.brief} ({self.format}, {self.country or '?'})"
