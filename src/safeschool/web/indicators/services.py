"""Writes of the official indicators: one Eurostat file imported as one release, all or nothing. The file is read
by safeschool.indicators.eurostat; a file that cannot be read, or any problem in a row, refuses the whole file with
every problem listed (line, column, reason) and nothing stored, as the other importers do."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from safeschool.indicators import eurostat
from safeschool.indicators.records import quoted
from safeschool.web.indicators.models import Observation, Release

BATCH = 2000
# the stored columns' widths (models.Observation): a code longer than its column is a row problem, not a crash
WIDTHS = {name: Observation._meta.get_field(name).max_length for name in ("geo", "sex", "age", "unit", "other",
                                                                            "flags")}


class ImportRefused(ValidationError):
    """The file was not imported; `row_errors` lists each problem (eurostat.RowError: row, field, message), empty
    when the whole file was refused for one reason (the message says it)."""

    def __init__(self, message: str, row_errors: list[eurostat.RowError] | tuple = ()):
        super().__init__(message)
        self.reason = message
        self.row_errors = list(row_errors)


def _width_errors(observations: list[eurostat.Observation]) -> list[eurostat.RowError]:
    """Codes too long for their stored column, and keys the database would see twice (it keeps no freq)."""
    errors, seen = [], set()
    for obs in observations:
        for name, width in WIDTHS.items():
            value = getattr(obs, name)
            if len(value) > width:
                errors.append(eurostat.RowError(0, name, f"{quoted(value)} is longer than {width} characters"))
        key = (obs.geo, obs.sex, obs.age, obs.unit, obs.other, obs.year)
        if key in seen:
            errors.append(eurostat.RowError(0, "freq", f"the series of {obs.geo} {obs.year} appears twice "
                                                       "(another frequency?): keep one"))
        seen.add(key)
        if len(errors) >= eurostat.MAX_ERRORS:
            break
    return errors


def release_import(*, data: bytes, name: str, user=None, dataset: str = "", simulated: bool = False) -> Release:
    """Import one Eurostat file (bulk TSV or SDMX-CSV, plain or gzipped) as a release. Raises ImportRefused (nothing
    stored) when the file cannot be read, any row has a problem, or the same file was imported before."""
    if user is not None and not user.has_perm("indicators.import_release"):
        raise PermissionDenied(gettext("Only researchers and administrators import official indicators."))
    try:
        read = eurostat.read(bytes(data), name=name, dataset=dataset)
    except eurostat.EurostatError as error:
        raise ImportRefused(gettext("The file was not imported: %(reason)s.") % {"reason": str(error).rstrip(".")}) \
            from None
    errors = read.errors or _width_errors(read.observations)
    if errors:
        raise ImportRefused(ngettext("The file was not imported: %(count)d problem in its rows. Nothing was stored; "
                                     "correct it and import the file again.",
                                     "The file was not imported: %(count)d problems in its rows. Nothing was "
                                     "stored; correct them and import the file again.", len(errors))
                            % {"count": len(errors)}, errors)
    if not read.observations:
        raise ImportRefused(gettext("The file was not imported: it holds no observations."))
    digest = hashlib.sha256(bytes(data)).hexdigest()
    earlier = Release.objects.filter(sha256=digest).order_by("imported_at").first()
    if earlier is not None:
        raise ImportRefused(gettext("This file was already imported on %(when)s as %(file)s: nothing was stored.")
                            % {"when": date_format(localtime(earlier.imported_at), "SHORT_DATETIME_FORMAT"),
                               "file": earlier.file_name})
    with transaction.atomic():
        release = Release.objects.create(
            dataset=read.dataset, file_name=(name or f"{read.dataset}.{read.format}")[:255], sha256=digest,
            format=read.format, n_observations=len(read.observations), simulated=simulated,
            imported_by=user if user is not None and user.is_authenticated else None)
        Observation.objects.bulk_create(
            (Observation(release=release, dataset=read.dataset, geo=obs.geo, country=obs.country, sex=obs.sex,
                         age=obs.age, unit=obs.unit, other=obs.other, year=obs.year, value=obs.value,
                         flags=obs.flags) for obs in read.observations), batch_size=BATCH)
    return release
