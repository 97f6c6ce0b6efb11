"""Forms of the account pages."""

from django import forms

from convivencia.accounts.models import User


class NotificationSettingsForm(forms.ModelForm):
    """How the person hears of their notifications by e-mail."""

    class Meta:
        model = User
        fields = ["email_notifications"]
        widgets = {"email_notifications": forms.RadioSelect}
