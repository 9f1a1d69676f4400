"""Official indicators as Eurostat publishes them: each imported file is a release (one dataset, all-or-nothing),
holding its observations with every dimension, value (None for ':') and flags exactly as read
(safeschool.indicators.eurostat). The current figures of a dataset are those of its latest release; earlier
releases stay, so a page can say which release it shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Dataset(models.TextChoices):  # the codes of safeschool.indicators.eurostat.SUPPORTED
    SDG_04_10 = "sdg_04_10", _("Early leavers from education and training by sex (sdg_04_10)")
    EDAT_LFSE_14 = "edat_lfse_14", _("Early leavers from education and training by sex and labour status "
                                     "(edat_lfse_14)")
    EDAT_LFSE_16 = "edat_lfse_16", _("Early leavers from education and training by sex and NUTS 2 region "
                                     "(edat_lfse_16)")


class Release(models.Model):
    """One imported file."""

    dataset = models.CharField(max_length=20, choices=Dataset.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10, choices=[("tsv", _("Bulk TSV")), ("sdmx-csv", _("SDMX-CSV"))])
    n_observations = models.PositiveIntegerField()
    simulated = models.BooleanField(default=False, help_text=_("Simulated in Eurostat's format for the demo, not "
                                                               "Eurostat's figures."))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(dataset__in=Dataset.values),
                                              name="indicators_release_dataset")]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.file_name})"


class Observation(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="observations")
    dataset = models.CharField(max_length=20, choices=Dataset.choices)
    geo = models.CharField(max_length=12)
    country = models.CharField(max_length=5, blank=True, help_text=_("The geo's country; empty for aggregates."))
    sex = models.CharField(max_length=2, blank=True)
    age = models.CharField(max_length=12, blank=True)
    unit = models.CharField(max_length=12, blank=True)
    other = models.CharField(max_length=80, blank=True, help_text=_("Other dimensions, e.g. wstatus=POP."))
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True, blank=True)
    flags = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["geo", "sex", "year"]
        constraints = [models.UniqueConstraint(fields=["release", "geo", "sex", "age", "unit", "other", "year"],
                                               name="indicators_observation_unique")]
        indexes = [models.Index(fields=["dataset", "country", "year"])]

    def __str__(self) -> str:
        return f"{self.dataset} {self.geo} {self.sex} {self.year}"
