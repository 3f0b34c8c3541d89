"""HTML forms of the review app. They only shape input; rules live in the
services, whose errors the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Level, Specialty, TitleSeries
from portal.forms import translated_name_fields
from portal.models import Committee, Organization, Region
from portal.numbers import TypedDecimalField
from portal.uploads import file_input_attrs
from review.models import CommitteeSanction, DefenceSession, DefenceSlot, RecognitionAssessment, Verdict


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label):
    return forms.DateTimeField(label=label, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M",
                                                                                   "%Y-%m-%d %H:%M"])


MOBILES_HELP = _("One mobile number per line; each person needs a real-name account.")


class CommitteeFileForm(forms.Form):
    name = forms.CharField(label=_("Name of the committee"), max_length=128,
                           help_text=_("The official name, in Chinese."))
    name_ug, name_en = translated_name_fields()
    kind = forms.ChoiceField(label=_("Kind (R2.2)"), choices=Committee.Kind.choices)
    organizer = forms.ModelChoiceField(label=_("Organizer"),
                                       queryset=Organization.objects.filter(status="active").order_by("kind", "name"))
    series = forms.ModelChoiceField(label=_("Series (one per committee, R2.1)"),
                                    queryset=TitleSeries.objects.filter(is_active=True))
    filing_number = forms.CharField(label=_("Filing number"), max_length=64)
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until (at most 3 years, R2.3)"), widget=DateInput())
    levels = forms.MultipleChoiceField(label=_("Levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    specialties = forms.ModelMultipleChoiceField(label=_("Specialties (none: every specialty of the series)"),
                                                 queryset=Specialty.objects.filter(is_active=True)
                                                 .select_related("series"), required=False)
    regions = forms.ModelMultipleChoiceField(label=_("Regions (none: every region)"), queryset=Region.objects.all(),
                                             required=False)
    member_units = forms.ModelMultipleChoiceField(
        label=_("Member units (enterprise self-review and joint committees)"), required=False,
        queryset=Organization.objects.filter(kind="enterprise", status="active").order_by("name"))
    chair = forms.CharField(label=_("Chair (mobile number)"), max_length=14)
    members = forms.CharField(label=_("Members"), widget=forms.Textarea(attrs={"rows": 5}), help_text=MOBILES_HELP,
                              required=False)
    secretaries = forms.CharField(label=_("Secretaries (committee office)"), widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=MOBILES_HELP)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction (R6.8)"), choices=CommitteeSanction.Kind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class TranslatedNamesForm(forms.Form):
    """The Uyghur and English names of an existing call or committee (its Chinese name stays)."""

    name_ug, name_en = translated_name_fields()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class RenewForm(forms.Form):
    filed_on = forms.DateField(label=_("Filed again on"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())


class MemberAddForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=14)
    role = forms.ChoiceField(label=_("Role"), choices=[("member", _("Member")), ("chair", _("Chair")),
                                                       ("secretary", _("Committee office (secretary)"))])


class ExpertImportForm(forms.Form):
    file = forms.FileField(label=_("Excel sheet (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def __init__(self, *args, **kwargs):
        from django.utils.translation import pgettext

        from review.services.experts import COLUMNS, MAX_IMPORT_BYTES

        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(file_input_attrs(max_bytes=MAX_IMPORT_BYTES, kind="xlsx"))
        # The first row's headers as the reader writes them (any language's are accepted).
        self.fields["file"].help_text = _(
            "First row, the columns: %(columns)s (the ID number only to open an account for someone new). "
            "Headers in Chinese, Uyghur or English. Specialties by code or by their Chinese, Uyghur or English "
            "name; several in one cell separated by %(separators)s or a new line.") % {
            "columns": pgettext("list", ", ").join(str(label) for label in COLUMNS.values()),
            # Kept together, left to right, inside a Uyghur sentence too (an isolate).
            "separators": "\u2066、 , ، ;\u2069"}


class ExpertAddForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number of the expert's account"), max_length=14)
    level = forms.ChoiceField(label=_("Level of the title held"), choices=Level.choices)
    specialties = forms.ModelMultipleChoiceField(label=_("Specialties"), queryset=Specialty.objects.none())
    employer_name = forms.CharField(label=_("Employer"), max_length=128, required=False)
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Term ends (at most 3 years, R2.6)"), widget=DateInput())

    def __init__(self, *args, series=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.filter(series=series, is_active=True)


class ReviewSetupForm(forms.Form):
    blind = forms.BooleanField(label=_("Blind mode: experts do not see the applicant's name and employer"),
                               required=False)
    experts_per_application = forms.IntegerField(label=_("Experts per application"), min_value=1, max_value=15,
                                                 required=False)


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("What is the conflict of interest?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ScoreForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=[("", "—"), *Verdict.choices], required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                              required=False, max_length=5000)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"c_{c['code']}"] = TypedDecimalField(
                label=f"{c['name']} ({c['weight']}%)", min_value=0, max_value=c["max_score"], decimal_places=2,
                required=False, help_text=_("0 to %(max)d") % {"max": c["max_score"]},
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control", "data-criterion": c["code"],
                                                "data-weight": c["weight"], "data-max": c["max_score"]}))

    def values(self) -> dict:
        return {c["code"]: self.cleaned_data.get(f"c_{c['code']}") for c in self.criteria}


class DefenceSessionForm(forms.Form):
    name = forms.CharField(label=_("Name of the session"), max_length=128)
    mode = forms.ChoiceField(label=_("Mode"), choices=DefenceSession.Mode.choices)
    starts_at = _datetime_field(_("Starts"))
    location = forms.CharField(label=_("Place (on site)"), max_length=200, required=False)
    meeting_link = forms.URLField(label=_("Meeting link (remote)"), max_length=300, required=False,
                                    assume_scheme="https")


class DefenceSlotForm(forms.Form):
    session = forms.IntegerField(widget=forms.HiddenInput())
    application = forms.IntegerField(label=_("Applicant"))  # picked from a list of the call's applicants
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))


class DefenceResultForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput())
    attendance = forms.ChoiceField(label=_("Attendance"), choices=[c for c in DefenceSlot.Attendance.choices
                                                                   if c[0] != "pending"])
    score = TypedDecimalField(label=_("Defence score (0–100)"), min_value=0, max_value=100, decimal_places=2,
                               required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Name of the meeting"), max_length=128)
    scheduled_at = _datetime_field(_("When"))
    location = forms.CharField(label=_("Place or link"), max_length=300, required=False)


class PubliciseForm(forms.Form):
    starts_on = forms.DateField(label=_("Publicity starts on"), widget=DateInput())


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Your objection and its grounds"), min_length=5, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}))
    contact = forms.CharField(label=_("How to contact you (phone or email)"), max_length=64,
                              help_text=_("Only the secretary answering the objection sees it."))


class ObjectionAnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput())
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    upheld = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                    choices=[("no", _("Dismissed: the result stands")),
                                             ("yes", _("Upheld: withdraw the result"))])


class FilingForm(forms.Form):
    approval_number = forms.CharField(label=_("Approval number"), max_length=64)
    granted_on = forms.DateField(label=_("Date granted"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class RecognitionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=RecognitionAssessment.Decision.choices)
    assessment = forms.CharField(label=_("Assessment record"), min_length=10, max_length=20000,
                                 widget=forms.Textarea(attrs={"rows": 6}))


class ReconsiderationRequestForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("Why should the result be reconsidered?"), min_length=10, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReconsiderationDecideForm(forms.Form):
    reconsideration = forms.IntegerField(widget=forms.HiddenInput())
    upheld = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                    choices=[("no", _("Dismissed: the result stands")),
                                             ("yes", _("Upheld: to be reviewed again"))])
    outcome = forms.CharField(label=_("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
