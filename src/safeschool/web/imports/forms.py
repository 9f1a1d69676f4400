from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.ingest.mapping import TARGETS, Mapping, known_targets, target_groups
from safeschool.ingest.readers import FORMATS
from safeschool.web.imports.models import ImportBatch
from safeschool.web.imports.uploads import upload_limit_message


class UploadForm(forms.Form):
    file = forms.FileField(help_text=_("CSV, Excel (.xlsx), SPSS (.sav) or Stata (.dta)."))
    target = forms.ChoiceField(choices=ImportBatch.Target.choices, label=_("What the file holds"))
    mapping = forms.FileField(required=False, label=_("Mapping (optional)"),
                              help_text=_("A YAML mapping saved from an earlier import or written by hand."))

    def __init__(self, *args, refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused  # why the upload handler dropped the file while it streamed in
        if refused:
            self.fields["file"].required = False

    def clean_file(self):
        if self.refused:
            raise forms.ValidationError(self.refused)
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(upload_limit_message(upload.name))
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in FORMATS:
            raise forms.ValidationError(gettext("'%(name)s': use a .csv, .xlsx, .sav or .dta file.") % {"name": upload.name})
        return upload


class MappingForm(forms.Form):
    """One choice per file column (an item, a field, or not imported), plus id, wave, language and missing codes."""

    def __init__(self, *args, columns: list[str], mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        options = [("", "— not imported —")] + [(t, t) for t in known_targets(mapping.target)]
        column_choices = [("", "—")] + [(c, c) for c in columns]
        self.fields["target"] = forms.ChoiceField(choices=[(t, t) for t in TARGETS], initial=mapping.target,
                                                  widget=forms.HiddenInput)
        self.fields["id_column"] = forms.ChoiceField(choices=column_choices, initial=mapping.id, label=gettext("Id column"),
                                                     help_text=gettext("Pseudonymised with the network's key on import."))
        self.fields["wave_column"] = forms.ChoiceField(choices=column_choices, initial=mapping.wave_column or "",
                                                       required=False, label=gettext("Wave column"))
        self.fields["wave"] = forms.IntegerField(min_value=1, required=False, initial=mapping.wave,
                                                 label=gettext("…or one wave for every row"))
        self.fields["language_column"] = forms.ChoiceField(choices=column_choices, required=False,
                                                           initial=mapping.language_column or "",
                                                           label=gettext("Language column"))
        self.fields["language"] = forms.CharField(max_length=10, required=False, initial=mapping.language or "",
                                                  label=gettext("…or one language"), help_text=gettext("e.g. es, it, el"))
        self.fields["missing"] = forms.CharField(required=False, initial=", ".join(map(str, mapping.missing)),
                                                 label=gettext("Codes meaning no answer"), help_text=gettext("e.g. 99, -9"))
        # Compact: a column the names matched to an item offers that instrument's items only (the field still
        # accepts any known target, e.g. from an uploaded YAML mapping); an unmatched column offers every item,
        # grouped by instrument. 73 columns × every item was a 260 KB page.
        not_imported = ("", gettext("— not imported —"))
        self.groups = target_groups(mapping.target)
        group_of = {item: code for code, _, items in self.groups for item in items}
        every = [not_imported] + [(name or gettext("Record fields"), [(t, t) for t in items])
                                  for code, name, items in self.groups]
        keys = {mapping.id, mapping.wave_column, mapping.language_column} - {None, ""}
        for i, col in enumerate(columns):
            suggested = mapping.columns.get(col, "")
            field = forms.ChoiceField(choices=options, required=False, label=col, initial=suggested)
            group = group_of.get(suggested)
            if group:
                field.widget.choices = [not_imported] + [(t, t) for code, _, items in self.groups if code == group
                                                         for t in items]
            else:  # the id, wave and language columns are not items; another unmatched column may be any item
                field.widget.choices = [not_imported] if col in keys else every
            field.group = group or ("keys" if col in keys else "")
            self.fields[f"col_{i}"] = field

    def column_fields(self):
        return [self[f"col_{i}"] for i in range(len(self.columns))]

    def column_groups(self, samples: dict[str, str] | None = None) -> list[dict]:
        """The column rows grouped for the page: first the columns that need a decision (no suggestion), open;
        then one closed group per instrument with its matched columns (open when one of them has an error)."""
        samples = samples or {}
        rows = [{"field": self[f"col_{i}"], "column": col, "samples": samples.get(col, "")}
                for i, col in enumerate(self.columns) if f"col_{i}" in self.fields]
        out = []
        pending = [r for r in rows if not r["field"].field.group]
        if pending:
            out.append({"code": "", "name": gettext("Needs a decision"), "rows": pending, "open": True,
                        "matched": None, "items": None})
        keys = [r for r in rows if r["field"].field.group == "keys"]
        if keys:
            out.append({"code": "keys", "name": gettext("Id, wave and language columns"), "rows": keys,
                        "open": any(r["field"].errors for r in keys), "matched": None, "items": None})
        for code, name, items in self.groups:
            mine = [r for r in rows if r["field"].field.group == code]
            if mine:
                out.append({"code": code, "name": name or gettext("Record fields"), "rows": mine,
                            "open": any(r["field"].errors for r in mine), "matched": len(mine), "items": len(items)})
        return out

    def clean(self):
        data = super().clean()
        if not data.get("id_column"):
            self.add_error("id_column", "Choose the column that holds the id.")
        if not data.get("wave_column") and not data.get("wave"):
            self.add_error("wave", "Give a wave number or choose the wave column.")
        chosen = {}
        for i, col in enumerate(self.columns):
            dest = data.get(f"col_{i}")
            if dest:
                if dest in chosen:
                    self.add_error(f"col_{i}", f"'{dest}' is already taken by column '{chosen[dest]}'.")
                chosen[dest] = col
        if not chosen:
            raise forms.ValidationError(gettext("Map at least one column to an item or field."))
        return data

    def mapping(self, sheet: str | None = None) -> dict:
        data = self.cleaned_data
        columns = {col: data[f"col_{i}"] for i, col in enumerate(self.columns) if data.get(f"col_{i}")}
        out = {"target": data["target"], "id": data["id_column"],
               "wave": {"column": data["wave_column"]} if data.get("wave_column") else data["wave"],
               "columns": columns}
        if data.get("language_column"):
            out["language"] = {"column": data["language_column"]}
        elif data.get("language"):
            out["language"] = data["language"].strip().lower()
        if data.get("missing"):
            out["missing"] = [m.strip() for m in data["missing"].split(",") if m.strip()]
        if sheet:
            out["sheet"] = sheet
        return out
