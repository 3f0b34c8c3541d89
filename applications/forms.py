"""HTML forms of the applications app. Forms only shape input; the rules
live in the services and the eligibility engine."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.eligibility_models import Education, Pathway, SkillLevel
from applications.models import Level, Qualification, TitleSeries


def _series_choices():
    return [(s.code, s.name if not s.name_en else f"{s.name} · {s.name_en}")
            for s in TitleSeries.objects.filter(is_active=True).order_by("order", "code")]


def _qualification_choices():
    return [("", _("None"))] + [
        (q.code, f"{q.name} · {q.name_en}" if q.name_en else q.name)
        for q in Qualification.objects.select_related("series").order_by("series__order", "level", "name")]


def _years(label, help_text=""):
    return forms.DecimalField(label=label, help_text=help_text, required=False, min_value=Decimal(0),
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
    qualification = forms.ChoiceField(label=_("Professional qualification (R4.7)"), required=False,
                                      choices=_qualification_choices,
                                      help_text=_("A qualification counts as holding the corresponding title."))
    skill_level = forms.ChoiceField(label=_("Vocational skill level (R4.6)"), required=False,
                                    choices=[("", _("None"))] + SkillLevel.choices)
    skill_years = _years(_("Years since that skill level was obtained"))
    continuing_education_hours = forms.DecimalField(label=_("Continuing-education hours"), required=False,
                                                    min_value=Decimal(0), max_value=Decimal(100000),
                                                    decimal_places=1, max_digits=7)
    recommendations = forms.IntegerField(label=_("Recommendations from full-senior (正高级) experts"), required=False,
                                         min_value=0, max_value=20,
                                         help_text=_("Needed for an exceptional application (R3.6)."))
    private_enterprise = forms.BooleanField(label=_("I work in a private enterprise"), required=False)
    first_time = forms.BooleanField(label=_("This is my first title application"), required=False)
