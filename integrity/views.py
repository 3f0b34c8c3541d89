"""Pages of the integrity app (R6.3): the public report form and status
page, the supervisors' triage and case pages (bureau officers read the
cases of their region), and the person's own integrity records."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integrity import forms, selectors, services
from integrity.models import FraudCase, FraudReport
from portal import ratelimit
from portal.errors import InvalidInput, NotFound
from portal.models import Role
from portal.security import keep_private
from portal.views_helpers import role_required, run

PAGE = 50


def _limited(scope: str, default: tuple[int, int]):
    """Answer 429 with a page once the address is over the limit (POST only
    for forms, GET too for look-ups)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            limit, window = getattr(settings, f"INTEGRITY_{scope.upper()}_LIMIT", default)
            counted = request.method == "POST" or (scope == "status" and request.GET.get("reference"))
            if counted and not ratelimit.allow(request, f"integrity:{scope}", limit=limit, window=window):
                response = render(request, "integrity/rate_limited.html", status=429)
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _before(request) -> int | None:
    try:
        return int(request.GET.get("before", "") or 0) or None
    except ValueError:
        return None


def _keyset(request, qs):
    """Newest first, PAGE rows before ``?before=<id>``."""
    before = _before(request)
    if before:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[: PAGE + 1])
    has_more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = request.GET.copy()
    query.pop("before", None)
    return {"rows": rows, "has_more": has_more, "next_before": rows[-1].pk if rows else None,
            "query": query.urlencode()}


# --- Public --------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@_limited("report", (5, 3600))
def report_form(request):
    """Anyone reports suspected fraud on a certificate or a publicised result."""
    entry = None
    entry_id = request.POST.get("entry") or request.GET.get("entry")
    if entry_id:
        try:
            entry = services.publicity_entry_for_report(entry_id)
        except InvalidInput:
            raise Http404
    form = forms.ReportForm(request.POST or None, request.FILES or None,
                            initial={"entry": entry.pk if entry else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = run(request, services.fraud_report_create, form=form, description=d["description"],
                     certificate_number="" if entry else d["certificate_number"],
                     holder_name="" if entry else d["holder_name"],
                     entry_id=entry.pk if entry else None, contact=d["contact"], files=d["evidence"],
                     source=ratelimit.address_key(request))
        if result:
            _report, reference = result
            return keep_private(render(request, "integrity/report_received.html", {"reference": reference}))
    return keep_private(render(request, "integrity/report_form.html", {"form": form, "entry": entry},
                               status=400 if form.errors else 200))


@require_http_methods(["GET"])
@_limited("status", (30, 60))
def report_status(request):
    """The reporter's status page: received / under investigation / closed, nothing else."""
    form = forms.StatusForm(request.GET or None)
    status = None
    if request.GET and form.is_valid():
        try:
            status = services.fraud_report_public_status(reference=form.cleaned_data["reference"])
        except NotFound as error:
            form.add_error("reference", str(error.message))
    return keep_private(render(request, "integrity/report_status.html", {"form": form, "status": status}))


# --- The person concerned --------------------------------------------------------------------

@login_required
def my_records(request):
    records = list(selectors.records_for_person(user=request.user))
    return render(request, "integrity/my_records.html", {"records": records, "today": timezone.localdate()})


# --- Supervisors: triage ----------------------------------------------------------------------

@role_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def report_list(request):
    if request.method == "POST":
        form = forms.OpenCaseForm(request.POST)
        ids = request.POST.getlist("reports")
        if form.is_valid():
            case = run(request, services.fraud_case_open, actor=request.user, report_ids=ids,
                       note=form.cleaned_data["note"], success=_("Case opened."))
            if case:
                return redirect("integrity-case-detail", case.pk)
        return redirect(request.get_full_path())
    status = request.GET.get("status", FraudReport.Status.RECEIVED)
    if status not in FraudReport.Status.values and status != "":
        status = FraudReport.Status.RECEIVED
    qs = selectors.reports_for_supervisor(user=request.user, status=status)
    context = _keyset(request, qs)
    context.update({"status": status, "statuses": forms.REPORT_STATUS_CHOICES, "open_form": forms.OpenCaseForm()})
    return render(request, "integrity/report_list.html", context)


@role_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = selectors.report_for_supervisor(user=request.user, pk=pk)
    if report is None:
        raise Http404
    dismiss_form, open_form = forms.DismissForm(), forms.OpenCaseForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "dismiss":
            dismiss_form = forms.DismissForm(request.POST)
            if dismiss_form.is_valid() and run(request, services.fraud_report_dismiss, form=dismiss_form,
                                               actor=request.user, report_id=report.pk,
                                               reason=dismiss_form.cleaned_data["reason"],
                                               success=_("Report dismissed.")):
                return redirect("integrity-report-detail", report.pk)
        elif action == "open":
            open_form = forms.OpenCaseForm(request.POST)
            if open_form.is_valid():
                case = run(request, services.fraud_case_open, form=open_form, actor=request.user,
                           report_ids=[report.pk], note=open_form.cleaned_data["note"], success=_("Case opened."))
                if case:
                    return redirect("integrity-case-detail", case.pk)
        else:
            raise Http404
    return render(request, "integrity/report_detail.html", {"report": report, "dismiss_form": dismiss_form,
                                                            "open_form": open_form})


# --- Cases: supervisors decide, bureau officers of the region read -------------------------------

@role_required(Role.SUPERVISOR, Role.BUREAU_OFFICER)
def case_list(request):
    status = request.GET.get("status", "")
    if status not in FraudCase.Status.values:
        status = ""
    qs = selectors.cases_for_user(user=request.user, status=status)
    context = _keyset(request, qs)
    context.update({"status": status, "statuses": forms.CASE_STATUS_CHOICES})
    return render(request, "integrity/case_list.html", context)


@role_required(Role.SUPERVISOR, Role.BUREAU_OFFICER)
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    case = selectors.case_for_user(user=request.user, pk=pk)
    if case is None:
        raise Http404
    may_decide = services.is_supervisor(request.user)
    note_form, evidence_form = forms.NoteForm(), forms.EvidenceForm()
    decision_form = forms.DecisionForm(case=case)
    if request.method == "POST":
        if not may_decide:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        action = request.POST.get("action")
        done = None
        if action == "investigate":
            done = run(request, services.fraud_case_investigate, actor=request.user, case_id=case.pk,
                       success=_("The investigation is under way."))
        elif action == "note":
            note_form = forms.NoteForm(request.POST)
            if note_form.is_valid():
                done = run(request, services.fraud_case_note_add, form=note_form, actor=request.user,
                           case_id=case.pk, text=note_form.cleaned_data["text"], success=_("Note added."))
        elif action == "evidence":
            evidence_form = forms.EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                done = run(request, services.fraud_case_evidence_add, form=evidence_form, actor=request.user,
                           case_id=case.pk, upload=evidence_form.cleaned_data["file"],
                           success=_("Evidence added."))
        elif action == "decide":
            decision_form = forms.DecisionForm(request.POST, case=case)
            if decision_form.is_valid():
                d = decision_form.cleaned_data
                done = run(request, services.fraud_case_decide, form=decision_form, actor=request.user,
                           case_id=case.pk, decision=d["decision"], reason=d["reason"],
                           sanction_kind=d.get("sanction_kind", ""), expert_ids=d.get("experts", []),
                           success=_("The decision is recorded."))
        else:
            raise Http404
        if done:
            return redirect("integrity-case-detail", case.pk)
    live = case.status in (FraudCase.Status.OPEN, FraudCase.Status.INVESTIGATING)
    refused = any(f.errors for f in (note_form, evidence_form, decision_form))
    return render(request, "integrity/case_detail.html", {
        "case": case, "may_decide": may_decide and live, "note_form": note_form, "evidence_form": evidence_form,
        "decision_form": decision_form,
        "candidates": list(services.expert_candidates(case)) if may_decide and live else [],
    }, status=400 if refused else 200)


@role_required(Role.SUPERVISOR, Role.BUREAU_OFFICER)
def evidence_download(request, pk: int):
    evidence = selectors.evidence_for_user(user=request.user, pk=pk)
    if evidence is None or not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=True,
                            filename=f"evidence-{evidence.pk}.{evidence.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return keep_private(response)
