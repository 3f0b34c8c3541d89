"""HTML forms of the certificates app; they only shape input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Level, Specialty
from certificates.models import Certificate
from portal.forms import DateInput
from portal.uploads import file_input_attrs


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": "650100-2026-ENG-000123-K",
                                                           "autocomplete": "off", "spellcheck": "false"}))
    name = forms.CharField(label=_("Holder's full name"), max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


class VerifyFileForm(forms.Form):
    file = forms.FileField(label=_("Certificate PDF"))

    def __init__(self, *args, **kwargs):
        from certificates.services import file_upload_limit

        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(file_input_attrs(max_bytes=file_upload_limit(), kind="pdf"))


class BulkVerifyForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx): column A certificate number, column B name"))

    def __init__(self, *args, **kwargs):
        from certificates.services import bulk_upload_limit

        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(file_input_attrs(max_bytes=bulk_upload_limit(), kind="xlsx"))


class RevokeForm(forms.Form):
    reason_category = forms.ChoiceField(label=_("Public category"), choices=Certificate.RevocationCategory.choices,
                                        help_text=_("Shown to anyone who verifies the certificate."))
    reason = forms.CharField(label=_("Reason (recorded, never public)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    title_name = forms.CharField(label=_("Title"), max_length=64)
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.none(), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Certificate.Method.choices)
    granting_body_name = forms.CharField(label=_("Granting body"), max_length=128)
    filing_number = forms.CharField(label=_("Filing number"), max_length=64)
    approval_number = forms.CharField(label=_("Approval number"), max_length=64)
    date_granted = forms.DateField(label=_("Date granted"), widget=DateInput)
    reason = forms.CharField(label=_("What is corrected"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, certificate: Certificate, **kwargs):
        kwargs.setdefault("initial", {
            "title_name": certificate.title_name, "specialty": certificate.specialty_id, "level": certificate.level,
            "method": certificate.method, "granting_body_name": certificate.granting_body_name,
            "filing_number": certificate.filing_number, "approval_number": certificate.approval_number,
            "date_granted": certificate.date_granted,
        })
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.filter(series_id=certificate.series_id)
