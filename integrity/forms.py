"""HTML forms of the integrity app. They only shape input; the rules live
in ``integrity.services``, whose errors the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from integrity import services
from integrity.models import FraudCase, FraudReport
from portal.uploads import file_input_attrs, limit_text
from review.models import CommitteeSanction


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


#: The certificate number shown as an example (the numbering of ``certificates.numbering``).
EXAMPLE_CERTIFICATE_NUMBER = "650100-2026-GCS-000123-X"


class ReportForm(forms.Form):
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=64, required=False,
        help_text="")  # set in __init__: the example number kept on one line
    holder_name = forms.CharField(
        label=_("Holder's name"), max_length=services.NAME_MAX, required=False,
        help_text=_("As printed on the certificate. The number and the name must match, as on the verification "
                    "page."))
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("What do you suspect?"), min_length=services.DESCRIPTION_MIN, max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say what was forged or false (degree, work years, achievements, signatures …) and how you "
                    "know it."))
    evidence = MultipleFileField(label=_("Evidence (optional)"), required=False)
    contact = forms.CharField(
        label=_("Your contact (optional)"), max_length=services.CONTACT_MAX, required=False,
        help_text=_("A phone number or email address if the supervisor may contact you. It is stored encrypted "
                    "and never shown to the person reported."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example number never breaks at a hyphen (a 390 px phone broke it in Uyghur) and reads
        # left to right inside a right-to-left sentence: one isolated, unbreakable piece.
        self.fields["certificate_number"].help_text = mark_safe(  # noqa: S308 - the text is escaped here
            escape(_("As printed on the certificate, e.g. %(example)s. Leave empty when you report a result "
                     "from the publicity list.")) % {"example": format_html(
                '<bdi dir="ltr" class="text-nowrap">{}</bdi>', EXAMPLE_CERTIFICATE_NUMBER)})
        evidence = self.fields["evidence"]
        evidence.widget.attrs.update(file_input_attrs(
            max_bytes=services.max_file_bytes(), max_files=services.max_report_files(),
            max_total=services.max_total_bytes()))
        evidence.help_text = _("PDF, JPEG or PNG; at most %(n)d files, %(each)s each and %(total)s together. "
                               "Photos are stored downscaled, without their EXIF data.") % {
            "n": services.max_report_files(), "each": limit_text(services.max_file_bytes()),
            "total": filesizeformat(services.max_total_bytes())}


class StatusForm(forms.Form):
    reference = forms.CharField(label=_("Tracking reference"), max_length=64)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason for dismissal"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


class OpenCaseForm(forms.Form):
    note = forms.CharField(label=_("First note (optional)"), required=False, max_length=services.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=services.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file (PDF, JPEG or PNG)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(file_input_attrs(max_bytes=services.max_file_bytes()))


DECISION_CHOICES = [("uphold", _("Uphold: fraud is established (revokes the title, R6.3)")),
                    ("not_uphold", _("Not upheld: no fraud found")),
                    ("close", _("Close without a finding"))]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Recorded reasons"), required=False, max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Required. The person concerned sees them with the integrity record; "
                                         "the public never does."))
    sanction_kind = forms.ChoiceField(
        label=_("Sanction on the committee (optional)"), required=False,
        choices=[("", _("No sanction"))] + [(k.value, k.label) for k in CommitteeSanction.Kind
                                            if k in services.FRAUD_CASE_SANCTION_KINDS],
        help_text=_("A suspension or withdrawal of authority is decided by the bureau, which is notified."))
    experts = forms.MultipleChoiceField(label=_("Cancel the qualification of experts involved"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case: FraudCase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = list(services.expert_candidates(case)) if case is not None else []
        self.fields["experts"].choices = [(str(e.pk), f"{e.user.real_name} · {e.committee.display_name}")
                                          for e in candidates]
        if not candidates:
            del self.fields["experts"]
        if case is None or case.committee_id is None:
            del self.fields["sanction_kind"]


REPORT_STATUS_CHOICES = [("", _("All"))] + list(FraudReport.Status.choices)
CASE_STATUS_CHOICES = [("", _("All"))] + list(FraudCase.Status.choices)
