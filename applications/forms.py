"""HTML forms of the applications app. Forms only shape input; the rules
live in the services and the eligibility engine."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.eligibility_models import Education, Pathway, SkillLevel
from applications.models import Level, Qualification, TitleSeries
from portal.numbers import TypedDecimalField
from portal.uploads import file_input_attrs, limit_text, max_image_side


def _series_choices():
    return [(s.code, s.display_name)
            for s in TitleSeries.objects.filter(is_active=True).order_by("order", "code")]


def _qualification_choices():
    return [("", _("None"))] + [
        (q.code, q.display_name)
        for q in Qualification.objects.select_related("series").order_by("series__order", "level", "name")]


def _years(label, help_text=""):
    return TypedDecimalField(label=label, help_text=help_text, required=False, min_value=Decimal(0),
                              max_value=Decimal(80), decimal_places=2, max_digits=5,
                              widget=forms.NumberInput(attrs={"step": "0.1", "min": "0"}))


class EligibilityCheckForm(forms.Form):
    """The same fields as ``POST /api/v1/eligibility/check/``."""

    series = forms.ChoiceField(label=_("Title series"), choices=_series_choices)
    level = forms.ChoiceField(label=_("Target level"), choices=Level.choices)
    pathway = forms.ChoiceField(label=_("Pathway"), choices=Pathway.choices, initial=Pathway.REGULAR, required=False,
                                help_text=_("Regular when left empty."))
    education = forms.ChoiceField(label=_("Highest education"), required=False,
                                  choices=[("", _("None"))] + Education.choices)
    years_since_graduation = _years(_("Years of work in the field since graduation"))
    current_level = forms.ChoiceField(label=_("Title held in this series"), required=False,
                                      choices=[("", _("None"))] + Level.choices)
    years_at_current_level = _years(_("Years since that title was obtained"))
    qualification = forms.ChoiceField(label=_("Professional qualification"), required=False,
                                      choices=_qualification_choices,
                                      help_text=_("A qualification counts as holding the corresponding title."))
    skill_level = forms.ChoiceField(label=_("Vocational skill level (R4.6)"), required=False,
                                    choices=[("", _("None"))] + SkillLevel.choices)
    skill_years = _years(_("Years since that skill level was obtained"))
    continuing_education_hours = TypedDecimalField(label=_("Continuing-education hours"), required=False,
                                                   min_value=Decimal(0), max_value=Decimal(100000),
                                                   decimal_places=1, max_digits=7, grouped=True)
    recommendations = forms.IntegerField(label=_("Recommendations from experts with a senior title"), required=False,
                                         min_value=0, max_value=20,
                                         help_text=_("Needed for an exceptional application (R3.6)."))
    private_enterprise = forms.BooleanField(label=_("I work in a private enterprise"), required=False)
    first_time = forms.BooleanField(label=_("This is my first title application"), required=False)


# --- The profile (R5.1) -----------------------------------------------------------

from applications.models import (  # noqa: E402
    Achievement,
    ContinuingEducation,
    EducationRecord,
    QualificationHeld,
    SkillRecord,
    TitleHeld,
    WorkRecord,
)
from portal.forms import DateInput, translated_name_fields  # noqa: E402


class _DatesModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput(format="%Y-%m-%d")  # what <input type="date"> reads


class EducationForm(_DatesModelForm):
    class Meta:
        model = EducationRecord
        fields = ["level", "school", "major", "graduated_on", "full_time"]


class WorkForm(_DatesModelForm):
    class Meta:
        model = WorkRecord
        fields = ["employer_name", "position", "started_on", "ended_on", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            # At the field people correct (the database constraint says the same, below the form).
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return data


class TitleHeldForm(_DatesModelForm):
    class Meta:
        model = TitleHeld
        fields = ["series", "level", "title_name", "granted_on", "certificate_number", "granting_body"]
        help_texts = {"title_name": _("Left empty: the catalogue's title of that series and level.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_name"].required = False
        self.fields["series"].queryset = TitleSeries.objects.filter(is_active=True)


class SkillForm(_DatesModelForm):
    class Meta:
        model = SkillRecord
        fields = ["level", "occupation", "obtained_on", "certificate_number"]


class QualificationHeldForm(_DatesModelForm):
    class Meta:
        model = QualificationHeld
        fields = ["qualification", "obtained_on", "certificate_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.select_related("series")


class ContinuingEducationForm(forms.ModelForm):
    class Meta:
        model = ContinuingEducation
        fields = ["year", "hours"]
        field_classes = {"hours": TypedDecimalField}

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError(_("The hours cannot be negative."))
        return hours


PROFILE_FORMS = {
    "education": (EducationForm, _("Education")),
    "work": (WorkForm, _("Work history")),
    "titles": (TitleHeldForm, _("Titles held")),
    "skills": (SkillForm, _("Vocational skill levels")),
    "qualifications": (QualificationHeldForm, _("Professional qualifications")),
    "continuing-education": (ContinuingEducationForm, _("Continuing education")),
}


# --- The application --------------------------------------------------------------

from applications.choices import Channel  # noqa: E402
from applications.models import Specialty  # noqa: E402
from portal.models import Organization  # noqa: E402


def _specialties_of(call):
    chosen = list(call.specialties.all())
    if chosen:
        return Specialty.objects.filter(pk__in=[s.pk for s in chosen])
    return Specialty.objects.filter(series_id=call.series_id, is_active=True)


class ApplicationStartForm(forms.Form):
    """Choose specialty, level, pathway and channel in an open call."""

    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.none())
    level = forms.ChoiceField(label=_("Target level"))
    pathway = forms.ChoiceField(label=_("Pathway"))
    channel = forms.ChoiceField(label=_("How you apply"), choices=Channel.choices, initial=Channel.EMPLOYER,
                                help_text=_("Employees apply through their employer (R1.1); freelancers through "
                                            "a talent service agency or association (R1.4)."))
    sponsor = forms.ModelChoiceField(
        label=_("Agency or association (freelancers only)"), required=False,
        queryset=Organization.objects.filter(
            kind__in=[Organization.Kind.TALENT_AGENCY, Organization.Kind.ASSOCIATION,
                      Organization.Kind.ACCEPTANCE_BODY], status=Organization.Status.ACTIVE).select_related("region"))

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = _specialties_of(call)
        self.fields["level"].choices = [(c.value, c.label) for c in Level if c.value in call.levels]
        pathways = call.pathways or Pathway.values
        self.fields["pathway"].choices = [(c.value, c.label) for c in Pathway if c.value in pathways]


class BasicsForm(forms.Form):
    """Step 1. Fields the application does not let change are disabled."""

    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.none())
    level = forms.ChoiceField(label=_("Target level"))
    pathway = forms.ChoiceField(label=_("Pathway"))
    summary = forms.CharField(label=_("Professional summary"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("Your work, responsibilities and contributions. Saved as you type."))
    justification = forms.CharField(label=_("Justification of special talent (green channel, R4.3)"),
                                    required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, application, unlocked, **kwargs):
        kwargs.setdefault("initial", {"specialty": application.specialty_id, "level": application.level,
                                      "pathway": application.pathway, "summary": application.summary,
                                      "justification": application.justification})
        super().__init__(*args, **kwargs)
        call = application.call
        self.fields["specialty"].queryset = _specialties_of(call)
        self.fields["level"].choices = [(c.value, c.label) for c in Level if c.value in call.levels]
        pathways = call.pathways or Pathway.values
        self.fields["pathway"].choices = [(c.value, c.label) for c in Pathway if c.value in pathways]
        draft = unlocked is None
        for name, field in self.fields.items():
            editable = draft if name in ("level", "pathway") else (draft or name in unlocked)
            if not editable:
                field.disabled = True
            field.widget.attrs["data-autosave"] = name if editable else ""
        if application.pathway != Pathway.GREEN_CHANNEL and not application.justification:
            self.fields["justification"].help_text = _("Only the green channel needs it.")

    def changed_values(self) -> dict:
        data = {}
        for name, field in self.fields.items():
            if field.disabled or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            data[name] = value.pk if name == "specialty" else value
        return data


class AchievementForm(_DatesModelForm):
    class Meta:
        model = Achievement
        fields = ["kind", "title", "role", "number", "achieved_on", "economic_benefit", "description"]
        field_classes = {"economic_benefit": TypedDecimalField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),  # an amount may be typed 1,200.5
                   "economic_benefit": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})}
        help_texts = {"number": _("Patents and standards: the number, and your role (R3.2)."),
                      "economic_benefit": _("Achievement transformation: the economic benefit (R3.2).")}


class AttachmentForm(forms.Form):
    material = forms.ChoiceField(label=_("Material"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, materials, max_bytes: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = materials
        self.fields["file"].widget.attrs.update(file_input_attrs(max_bytes=max_bytes))
        self.fields["file"].help_text = upload_help_text(max_bytes)


class EvidenceForm(forms.Form):
    achievement = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("Evidence (PDF, JPEG or PNG)"))


def upload_help_text(max_bytes: int | None = None) -> str:
    """What a file may be, in words, with the limit in force."""
    return _("PDF, JPEG or PNG, judged by content; at most %(limit)s a file. Photos are stored upright and "
             "downscaled to %(side)s px, without their EXIF data (such as the place they were taken).") % {
        "limit": limit_text(max_bytes), "side": max_image_side()}


class SubmitForm(forms.Form):
    pledge_accepted = forms.BooleanField(label=_("I sign the integrity pledge above (R6.3)."), required=True)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000)


# --- Reviewing ----------------------------------------------------------------------

class DecisionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(label=_("Reason or remarks"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Corrections due on"), required=False, widget=DateInput,
                             help_text=_("Empty: 14 days from today."))


class CorrectionForm(forms.Form):
    """One correction of a return: what it concerns, picked from the
    application's own fields, achievements (by title) and files (by name),
    and a note of several lines."""

    target = forms.ChoiceField(label=_("What to correct"), required=False,
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    message = forms.CharField(label=_("Note to the applicant"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 3}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("— choose a field, achievement or file —"))] + list(targets)


#: Six rows without JavaScript; with it, one at a time (``static/applications/js/applications.js``).
CorrectionFormSet = forms.formset_factory(CorrectionForm, extra=6, max_num=30, absolute_max=30)


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("How you corrected it, or why nothing needs to change."))


class ObjectionAnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    upheld = forms.TypedChoiceField(label=_("Finding"), coerce=lambda v: v == "1",
                                    choices=[("0", _("Not upheld: the application goes on")),
                                             ("1", _("Upheld: the application cannot be forwarded"))])


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels"))] + Level.choices)
    pathway = forms.ChoiceField(label=_("Pathway"), required=False,
                                choices=[("", _("All pathways"))] + Pathway.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        from applications.models import ApplicationStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses"))] + [
            c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT]
        for field in self.fields.values():
            choice = isinstance(field, forms.ChoiceField)
            field.widget.attrs["class"] = "form-select form-select-sm" if choice else "form-control form-control-sm"


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Your objection"), min_length=5, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What is untrue or wrong in this application, as precisely as you can."))
    contact = forms.CharField(label=_("How to contact you"), max_length=64,
                              help_text=_("Seen only by the unit that answers the objection."))


# --- Opening a call -------------------------------------------------------------------

from applications.choices import Method  # noqa: E402
from portal.models import Region  # noqa: E402


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallOpenForm(forms.Form):
    """A committee's secretary or a bureau officer opens a call (R2.1, R2.3, R4.1)."""

    owner = forms.ChoiceField(label=_("Opened by"))
    # The three names are one group on the page ("Name of the call"), each labelled by its language.
    name = forms.CharField(label=_("Official name (Chinese)"), max_length=128,
                           widget=forms.TextInput(attrs={"lang": "zh-Hans"}))
    name_ug, name_en = translated_name_fields()
    series = forms.ModelChoiceField(label=_("Series"), queryset=TitleSeries.objects.filter(is_active=True),
                                    help_text=_("A committee's call is in the series it was filed for (R2.1)."))
    levels = forms.MultipleChoiceField(label=_("Levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    specialties = forms.ModelMultipleChoiceField(label=_("Specialties (empty: every specialty in scope)"),
                                                 queryset=Specialty.objects.filter(is_active=True)
                                                 .select_related("series"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput)
    methods = forms.MultipleChoiceField(label=_("Methods (R4.1)"), choices=Method.choices,
                                        widget=forms.CheckboxSelectMultiple)
    pathways = forms.MultipleChoiceField(label=_("Accepted pathways (empty: all)"), choices=Pathway.choices,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    private_enterprise_group = forms.BooleanField(label=_("Separate group for private enterprises (R4.2)"),
                                                  required=False)
    entrusted_by = forms.ModelChoiceField(label=_("Entrusted by region (R1.5)"), required=False,
                                          queryset=Region.objects.order_by("code"))
    entrustment_note = forms.CharField(label=_("Entrustment reference (R1.5)"), max_length=255, required=False)
    pass_rate_ceiling = TypedDecimalField(label=_("Pass-rate ceiling (R6.7)"), min_value=Decimal("0.01"),
                                          max_value=Decimal(1), decimal_places=3, max_digits=4,
                                          initial=Decimal("0.6"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
