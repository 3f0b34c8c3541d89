"""HTML pages of the applications app."""

from __future__ import annotations

from django.shortcuts import render

from applications.eligibility import EligibilityInput, eligibility_check
from applications.forms import EligibilityCheckForm
from portal.views_helpers import run


def eligibility(request):
    """Public self-check (no login): the engine's verdict with one line per condition."""
    form = EligibilityCheckForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        result = run(request, eligibility_check, form=form, facts=EligibilityInput.from_data(form.cleaned_data))
    return render(request, "applications/eligibility.html", {"form": form, "result": result})
