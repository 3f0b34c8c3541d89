"""HTML forms of the people-and-bodies app. Validation of rules lives in the
services; forms only shape input."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Invitation, Organization, Region


class DateInput(forms.DateInput):
    input_type = "date"


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Mobile number or ID number"), max_length=32,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))

    error_messages = {
        "invalid_login": _("The mobile number / ID number or the password is wrong. "
                           "After 5 failed attempts the account is locked for 30 minutes."),
        "inactive": _("This account is inactive."),
    }


class SignUpForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=64)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, min_length=18,
                                help_text=_("Stored encrypted; shown masked everywhere."))
    mobile = forms.CharField(label=_("Mobile number"), max_length=14)
    email = forms.EmailField(label=_("Email (for notifications)"), required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 8 characters mixing three of: lower case, upper case, digits, "
                                            "symbols."))
    password2 = forms.CharField(label=_("Password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("Enterprise name"), max_length=128)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(),
                                    help_text=_("The HR bureau of this region approves the account (R1.3)."))
    ownership = forms.ChoiceField(label=_("Ownership"), choices=[("", "---------"), *Organization.Ownership.choices])
    size = forms.ChoiceField(label=_("Size"), choices=[("", "---------"), *Organization.Size.choices])
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64)
    contact_phone = forms.CharField(label=_("Contact mobile"), max_length=14)
    business_licence = forms.FileField(label=_("Business licence (PDF, JPEG or PNG)"))

    def __init__(self, *args, **kwargs):
        from portal.uploads import file_input_attrs, limit_text

        super().__init__(*args, **kwargs)
        licence = self.fields["business_licence"]
        licence.widget.attrs.update(file_input_attrs())
        licence.help_text = _("A scan or a photo, at most %(limit)s.") % {"limit": limit_text()}


class EnterpriseRegistrationForm(SignUpForm, EnterpriseForm):
    """For a visitor: the HR administrator's account and the enterprise at once."""

    field_order = ["name", "uscc", "region", "ownership", "size", "address", "business_licence",
                   "real_name", "id_number", "mobile", "email", "password1", "password2",
                   "contact_name", "contact_phone"]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class InvitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Invite as"), choices=Invitation.Kind.choices)
    real_name = forms.CharField(label=_("Real name"), max_length=64)
    mobile = forms.CharField(label=_("Mobile number"), max_length=14)
    position = forms.CharField(label=_("Position"), max_length=64, required=False)
    start_date = forms.DateField(label=_("Employment start date"), required=False, widget=DateInput,
                                 help_text=_("Required for employees."))


class EmploymentDeclareForm(forms.Form):
    employer_uscc = forms.CharField(label=_("Employer's unified social credit code"), max_length=18, min_length=18)
    position = forms.CharField(label=_("Position"), max_length=64, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    dispatch_region = forms.ModelChoiceField(label=_("Dispatched to region (R1.8)"), queryset=Region.objects.all(),
                                             required=False)
    dispatch_start = forms.DateField(label=_("Dispatched since"), required=False, widget=DateInput)


class EndEmploymentForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DateInput, initial=timezone.localdate)
