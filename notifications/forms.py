from django import forms

from notifications.models import AlertPreferences


class PreferencesForm(forms.Form):
    """The alerts offered to one user (``notifications.preferences.offered``)."""

    def __init__(self, *args, offered: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in offered:
            field = AlertPreferences._meta.get_field(name)
            self.fields[name] = forms.BooleanField(
                label=str(field.verbose_name).capitalize(), help_text=field.help_text, required=False
            )
