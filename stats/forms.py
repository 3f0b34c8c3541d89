"""The filters of the statistics page and API, validated: a bad value is
reported and ignored, never a 500."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stats.selectors import Labels

FILTERS = ("year", "series", "level", "pathway", "ownership")


class StatsFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100, widget=forms.Select)
    series = forms.ChoiceField(label=_("Series"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    pathway = forms.ChoiceField(label=_("Pathway"), required=False)
    ownership = forms.ChoiceField(label=_("Enterprise ownership"), required=False)

    def __init__(self, data, *, labels: Labels):
        super().__init__(data)
        anything = [("", _("All"))]
        for name in FILTERS:
            choices = anything + [(str(k), v) for k, v in labels.by_dimension[name].items()]
            if name == "year":
                self.fields[name].widget.choices = choices
            else:
                self.fields[name].choices = choices
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict:
        """The valid filters; a field with a bad value counts as "all"."""
        self.is_valid()
        result = {}
        for name in FILTERS:
            if name in self.errors:
                result[name] = 0 if name == "year" else ""
            else:
                result[name] = self.cleaned_data.get(name) or (0 if name == "year" else "")
        return result

    def bad_values(self) -> list[str]:
        self.is_valid()
        return [str(self.fields[name].label) for name in FILTERS if name in self.errors]
