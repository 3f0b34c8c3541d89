from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Level, TitleSeries


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"


class AcknowledgeForm(_Styled):
    note = forms.CharField(label=_("What is being done about it"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class StaffFilterForm(_Styled):
    """Filters of the enterprise view (R5.4)."""

    name = forms.CharField(label=_("Name"), required=False, max_length=64)
    series = forms.ModelChoiceField(label=_("Series"), required=False,
                                    queryset=TitleSeries.objects.filter(is_active=True).order_by("order", "code"),
                                    empty_label=_("Every series"))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Every level")), *Level.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {"name": "", "series_id": None, "level": ""}
        d = self.cleaned_data
        return {"name": d["name"].strip(), "series_id": d["series"].pk if d["series"] else None,
                "level": d["level"] or ""}
