from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool.indicators.eurostat import SUPPORTED
from safeschool.web.imports.uploads import upload_limit_message

MAX_MB = 20  # Eurostat's whole edat_lfse_16 bulk file is under 2 MB; gzip unpacks under eurostat.MAX_BYTES
SUFFIXES = (".tsv", ".tsv.gz", ".csv", ".csv.gz", ".gz", ".txt")


class ReleaseImportForm(forms.Form):
    file = forms.FileField(label=_("Eurostat file"),
                           help_text=_("Bulk TSV (.tsv or .tsv.gz) or SDMX-CSV (.csv), as downloaded from Eurostat."))
    dataset = forms.ChoiceField(
        label=_("Dataset"), required=False,
        choices=[("", _("Tell from the file"))] + [(code, code) for code in SUPPORTED],
        help_text=_("Needed only when neither the file's name nor its contents name the dataset."))

    def __init__(self, *args, refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused  # why the upload handler dropped the file while it streamed in
        if refused:
            self.fields["file"].required = False

    def clean_file(self):
        if self.refused:
            raise forms.ValidationError(self.refused)
        upload = self.cleaned_data["file"]
        if upload.size > min(MAX_MB, settings.MAX_UPLOAD_MB) * 1024 * 1024:
            raise forms.ValidationError(gettext("'%(name)s' is over the %(mb)s MB limit for official indicators.")
                                        % {"name": upload.name, "mb": min(MAX_MB, settings.MAX_UPLOAD_MB)}
                                        if upload.size <= settings.MAX_UPLOAD_MB * 1024 * 1024
                                        else upload_limit_message(upload.name))
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(gettext("'%(name)s': use Eurostat's .tsv, .tsv.gz or .csv file.")
                                        % {"name": upload.name})
        return upload
