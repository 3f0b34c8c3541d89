"""HTML forms of the people-and-bodies app. Validation of rules lives in the
services; forms only shape input."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import personal_data
from portal.models import Invitation, Organization, Region, User
from portal.uploads import validate_document


class DateInput(forms.DateInput):
    input_type = "date"


#: Room for an 18-character ID number typed with spaces or hyphens between its groups.
USERNAME_MAX_LENGTH = 40


def translated_name_fields() -> tuple[forms.CharField, forms.CharField]:
    """The optional Uyghur and English names beside an official Chinese ``name`` (a call, a
    committee: ``name_ug``, ``name_en``), in that order: ``name_ug, name_en = translated_name_fields()``."""
    # Typed in their own script and direction, whatever the page's (a Uyghur name right to left on
    # a Chinese page, an English one left to right on a Uyghur page).
    return (forms.CharField(label=_("Uyghur name"), max_length=128, required=False,
                            help_text=_("Optional: shown to people reading the portal in Uyghur."),
                            widget=forms.TextInput(attrs={"lang": "ug", "dir": "rtl"})),
            forms.CharField(label=_("English name"), max_length=128, required=False,
                            help_text=_("Optional: shown to people reading the portal in English."),
                            widget=forms.TextInput(attrs={"lang": "en", "dir": "ltr"})))


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Mobile number or ID number"), max_length=USERNAME_MAX_LENGTH,
                               help_text=_("The 18-character ID number may end in X or x; spaces and full-width "
                                           "digits are fine."),
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username",
                                                             "autocapitalize": "characters", "spellcheck": "false"}))

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm caps the field at the length of USERNAME_FIELD (the 11-digit mobile), which
        # cut an 18-character ID number in the browser: the login takes either, as people type them.
        field = self.fields["username"]
        field.max_length = USERNAME_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(USERNAME_MAX_LENGTH)
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))

    error_messages = {
        "invalid_login": _("The mobile number / ID number or the password is wrong. "
                           "After 5 failed attempts the account is locked for 30 minutes."),
        "inactive": _("This account is inactive."),
    }


def new_password_field(label, *, rules: bool = False) -> forms.CharField:
    """A password being chosen: never re-shown, never stripped; ``rules`` adds the rules as help."""
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                           help_text=_("At least 8 characters mixing three of: lower case, upper case, digits, "
                                       "symbols.") if rules else "")


def _normalised(value: str, normalise) -> str:
    try:
        return normalise(value)
    except ValidationError as error:
        raise forms.ValidationError(error.messages)


class SignUpForm(forms.Form):
    """Every error at once, next to its field; what was typed stays (passwords excepted)."""

    real_name = forms.CharField(label=_("Real name"), max_length=64,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("Resident ID number"), max_length=40,
                                help_text=_("18 characters; the last may be X. Residence permits of Hong Kong, Macao "
                                            "and Taiwan residents and foreigners' permanent residence ID cards "
                                            "are accepted too. Stored encrypted; shown masked everywhere."),
                                widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))
    mobile = forms.CharField(label=_("Mobile number"), max_length=20,
                             help_text=_("We send a code to this number to confirm it."),
                             widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=_("Email (for notifications)"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = new_password_field(_("Password"), rules=True)
    password2 = new_password_field(_("Password again"))

    def clean_real_name(self):
        value = self.cleaned_data["real_name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter your real name."))
        return value

    def clean_id_number(self):
        return _normalised(self.cleaned_data["id_number"], personal_data.normalize_id_number)

    def clean_mobile(self):
        return _normalised(self.cleaned_data["mobile"], personal_data.normalize_mobile)

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and data.get("password2") is not None and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        if password:
            candidate = User(mobile=data.get("mobile") or "", real_name=data.get("real_name") or "",
                             email=data.get("email") or "")
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error.messages)
        return data


class EnterpriseForm(forms.Form):
    """The enterprise's part of a registration. A licence that passed its checks is kept across a
    failed submit (``portal.pending_uploads``): the form then carries its token and shows its name."""

    name = forms.CharField(label=_("Enterprise name"), max_length=128)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(),
                                    help_text=_("The HR bureau of this region approves the account (R1.3)."))
    ownership = forms.ChoiceField(label=_("Ownership"), choices=[("", "---------"), *Organization.Ownership.choices])
    size = forms.ChoiceField(label=_("Size"), choices=[("", "---------"), *Organization.Size.choices])
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64)
    contact_phone = forms.CharField(label=_("Contact mobile"), max_length=20,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    business_licence = forms.FileField(label=_("Business licence (PDF, JPEG or PNG)"), required=False,
                                       widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    business_licence_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, pending_lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        #: ``token -> PendingUpload | None``: the licence this session kept from an earlier submit.
        self.pending_lookup = pending_lookup or (lambda token: None)
        self.pending = None
        from portal.uploads import file_input_attrs, limit_text

        licence = self.fields["business_licence"]
        licence.widget.attrs.update(file_input_attrs())
        licence.help_text = _("A scan or a photo, at most %(limit)s.") % {"limit": limit_text()}

    def clean_uscc(self):
        return _normalised(self.cleaned_data["uscc"], personal_data.normalize_uscc)

    def clean_contact_phone(self):
        return _normalised(self.cleaned_data["contact_phone"], personal_data.normalize_mobile)

    def clean_business_licence(self):
        upload = self.cleaned_data.get("business_licence")
        if upload:
            try:
                validate_document(upload)
            except ValidationError as error:
                raise forms.ValidationError(error.messages)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("business_licence") and "business_licence" not in self.errors:
            self.pending = self.pending_lookup(data.get("business_licence_token") or "")
            if self.pending is None:
                self.add_error("business_licence", _("Please choose the business licence file."))
        return data

    def keep_token(self, token: str, pending) -> None:
        """After the licence was kept: re-render with its token (the browser sends it next time)."""
        self.pending = pending
        self.data = self.data.copy()
        self.data["business_licence_token"] = token


class EnterpriseRegistrationForm(SignUpForm, EnterpriseForm):
    """For a visitor: the HR administrator's account and the enterprise at once."""

    field_order = ["name", "uscc", "region", "ownership", "size", "address", "business_licence",
                   "real_name", "id_number", "mobile", "email", "password1", "password2",
                   "contact_name", "contact_phone"]
    # SignUpForm.clean calls EnterpriseForm.clean through super(): both parts' errors show at once.


class SignUpCodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the SMS"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class PasswordResetRequestForm(forms.Form):
    login = forms.CharField(label=_("Mobile number, ID number or email"), max_length=254,
                            widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    channel = forms.ChoiceField(label=_("Send the code by"), initial="sms", widget=forms.RadioSelect,
                                choices=[("sms", _("SMS to the account's registered mobile")),
                                         ("email", _("Email to the account's registered email"))])


class PasswordResetCodeForm(forms.Form):
    code = forms.CharField(label=_("6-digit code"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))
    new_password1 = new_password_field(_("New password"), rules=True)
    new_password2 = new_password_field(_("New password again"))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class InvitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Invite as"), choices=Invitation.Kind.choices)
    real_name = forms.CharField(label=_("Real name"), max_length=64)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20,
                             help_text=_("The invitation is sent to this number by SMS."))
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Optional: the invitation is emailed too."))
    id_number = forms.CharField(label=_("ID number"), max_length=40, required=False,
                                help_text=_("Optional: the invitation then reaches the person even if they signed "
                                            "up with another mobile number."))
    position = forms.CharField(label=_("Position"), max_length=64, required=False)
    start_date = forms.DateField(label=_("Employment start date"), required=False, widget=DateInput,
                                 help_text=_("Required for employees."))


class EmploymentDeclareForm(forms.Form):
    employer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    employer_uscc = forms.CharField(label=_("Employer's unified social credit code"), max_length=30, required=False,
                                    help_text=_("Or find the enterprise by its name above."))
    position = forms.CharField(label=_("Position"), max_length=64, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    dispatch_region = forms.ModelChoiceField(label=_("Dispatched to region (R1.8)"), queryset=Region.objects.all(),
                                             required=False)
    dispatch_start = forms.DateField(label=_("Dispatched since"), required=False, widget=DateInput)


class EndEmploymentForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DateInput, initial=timezone.localdate)
