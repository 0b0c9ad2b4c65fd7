from django import forms

from golive.importing import KINDS, MAX_BYTES


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, spec.title) for k, spec in KINDS.items()])
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX, with the template's header row")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
        return upload
