"""The form that adapts a course version: a title, the kind, and for each session the day it goes on (blank: left
out) and its order within the day. The service checks it again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safeschool.web.learning.models import Course


class AdaptForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title of the new version"))
    kind = forms.ChoiceField(choices=Course.Kind.choices, label=_("Kind of course"), initial=Course.Kind.INDUCTION)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        for position, session in enumerate(sessions):
            self.fields[f"day_{session.pk}"] = forms.IntegerField(
                required=False, min_value=1, max_value=30, label=_("Day"), initial=session.day.number,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            self.fields[f"order_{session.pk}"] = forms.IntegerField(
                required=False, min_value=0, max_value=999, label=_("Order"), initial=position + 1)

    def rows(self):
        return [{"session": s, "day": self[f"day_{s.pk}"], "order": self[f"order_{s.pk}"]} for s in self.sessions]

    def plan(self) -> list[tuple[int, int, int]]:
        data = self.cleaned_data
        return [(s.pk, data[f"day_{s.pk}"], data.get(f"order_{s.pk}") or 0) for s in self.sessions
                if data.get(f"day_{s.pk}")]
