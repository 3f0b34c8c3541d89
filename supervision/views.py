"""Pages of the supervision app.

- Committee oversight (R6.4, R6.7–R6.9) for supervisors (every committee)
  and HR-bureau officers (committees filed with their bureau): figures per
  committee and call, sanctions with their effect on open calls, alerts.
- Duplicate evaluation report (R6.4) with an audited Excel export.
- Enterprise view (R5.4) for an enterprise's HR, with an audited export.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.models import Committee, Role
from portal.views_helpers import role_required, run
from review.services._common import bureau_region_ids
from supervision import selectors, services
from supervision.forms import AcknowledgeForm, StaffFilterForm
from supervision.models import OversightAlert

PAGE_SIZE = 50
OVERSEERS = (Role.SUPERVISOR, Role.BUREAU_OFFICER)


def _page(request, qs, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _require_overseer(request) -> None:
    if not selectors.may_oversee(request.user):
        raise Http404


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=services.EXPORT_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Committee oversight ----------------------------------------------------------------------

@role_required(*OVERSEERS)
def committee_list(request):
    _require_overseer(request)
    status = request.GET.get("status", "")
    page = _page(request, selectors.committees_for_overseer(user=request.user, status=status))
    selectors.decorate_committees(list(page.object_list))
    return render(request, "supervision/committee_list.html", {
        "page": page, "status": status, "statuses": Committee.Status.choices,
        "open_alerts": selectors.alerts_for_user(user=request.user, status="open").count(),
    })


@role_required(*OVERSEERS)
def committee_detail(request, pk: int):
    _require_overseer(request)
    committee = selectors.committee_for_overseer(user=request.user, pk=pk)
    if committee is None:
        raise Http404
    selectors.decorate_committees([committee])
    calls = selectors.calls_with_figures(committee=committee)
    return render(request, "supervision/committee_detail.html", {
        "committee": committee, "calls": calls,
        "sanctions": selectors.sanction_effects(committee=committee, calls=calls),
        "alerts": selectors.alerts_for_user(user=request.user).filter(committee=committee)[:20],
        "is_bureau": committee.filed_by.region_id in bureau_region_ids(request.user),
    })


@role_required(*OVERSEERS)
def call_detail(request, pk: int):
    _require_overseer(request)
    call = selectors.call_for_overseer(user=request.user, pk=pk)
    if call is None:
        raise Http404
    return render(request, "supervision/call_detail.html", {
        "call": call, "committee": call.committee, "statuses": selectors.call_status_counts(call=call),
        "stages": selectors.stage_times(call=call),
        "alerts": selectors.alerts_for_user(user=request.user).filter(call=call),
    })


# --- Alerts -------------------------------------------------------------------------------------

@role_required(*OVERSEERS)
def alert_list(request):
    _require_overseer(request)
    if request.method == "POST":
        if request.POST.get("action") != "check":
            raise Http404
        raised = run(request, services.oversight_check_now, actor=request.user)
        if raised is not None:
            messages.success(request, ngettext("The check raised %(n)d new alert.",
                                               "The check raised %(n)d new alerts.", len(raised)) % {"n": len(raised)})
        return redirect("supervision-alerts")
    status = request.GET.get("status", "")
    return render(request, "supervision/alert_list.html", {
        "page": _page(request, selectors.alerts_for_user(user=request.user, status=status)),
        "status": status, "statuses": OversightAlert.Status.choices, "form": AcknowledgeForm(),
        "can_check": selectors.is_supervisor(request.user),
    })


@role_required(*OVERSEERS)
@require_POST
def alert_acknowledge(request, pk: int):
    _require_overseer(request)
    if selectors.alert_for_user(user=request.user, pk=pk) is None:
        raise Http404
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        run(request, services.alert_acknowledge, actor=request.user, alert_id=pk, note=form.cleaned_data["note"],
            success=_("Alert acknowledged."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("supervision-alerts")


# --- Duplicate evaluation (R6.4) -----------------------------------------------------------

@role_required(*OVERSEERS)
def duplicates(request):
    _require_overseer(request)
    return render(request, "supervision/duplicates.html", {
        "groups": selectors.duplicate_evaluations(user=request.user),
        "may_export_full": any(request.user.has_role(r) for r in services.FULL_DATA_ROLES),
        "limit": selectors.DUPLICATE_REPORT_LIMIT,
    })


@role_required(*OVERSEERS)
def duplicates_export(request):
    _require_overseer(request)
    data = run(request, services.duplicate_report_export, actor=request.user, full=request.GET.get("full") == "1")
    if data is None:
        return redirect("supervision-duplicates")
    return _xlsx(data, "duplicate-evaluation.xlsx")


# --- Enterprise view (R5.4) ------------------------------------------------------------------

@login_required
def enterprise_home(request):
    enterprises = list(selectors.enterprises_for_hr(user=request.user))
    if not enterprises:
        raise Http404
    if len(enterprises) == 1:
        return redirect("supervision-enterprise-staff", enterprises[0].pk)
    return render(request, "supervision/enterprise_home.html", {"enterprises": enterprises})


@login_required
def enterprise_staff(request, pk: int):
    organization = selectors.enterprise_for_hr(user=request.user, pk=pk)
    if organization is None:
        raise Http404
    form = StaffFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"name": "", "series_id": None, "level": ""}
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/enterprise_staff.html", {
        "organization": organization, "form": form, "query": query.urlencode(),
        "page": _page(request, selectors.enterprise_staff(organization=organization, **filters)),
    })


@login_required
def enterprise_staff_export(request, pk: int):
    if selectors.enterprise_for_hr(user=request.user, pk=pk) is None:
        raise Http404
    form = StaffFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        messages.error(request, _("Check the filters: %(errors)s")
                       % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect("supervision-enterprise-staff", pk)
    filters = form.filters() if request.GET else {"name": "", "series_id": None, "level": ""}
    data = run(request, services.enterprise_staff_export, actor=request.user, organization_id=pk, **filters)
    if data is None:
        return redirect("supervision-enterprise-staff", pk)
    return _xlsx(data, "employees-titles.xlsx")
