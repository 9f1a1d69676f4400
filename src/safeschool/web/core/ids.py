"""Ids from the query string and forms: parsed in one place, so "abc", "", "-1" or a 30-digit number is a clear
refusal (a 400 or a form error), never a 500 from the database."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

MAX_ID = 2**63 - 1  # the largest primary key any of our databases stores


def int_or_none(value) -> int | None:
    """`value` (a string from GET/POST, or an int) as a positive id, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def ids_or_none(values: Iterable) -> list[int] | None:
    """Every value of a multi-valued field as an id, or None when any of them is not one."""
    ids = [int_or_none(v) for v in values]
    return None if any(i is None for i in ids) else ids


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id beyond the database's integer range as an invalid choice
    (Django's own field sends it to the database: OverflowError on SQLite, a 500)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # Django's own check refuses it
            if not -MAX_ID - 1 <= number <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)
