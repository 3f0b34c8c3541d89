"""HTML pages of the review app: the bureau's committee registry, filing
queue and recognition; the secretary's call dashboard, expert pool,
defences, meeting console and publicity; the expert's assignments and
scoring form; committee members' ballots; the applicant's review page; the
public publicity list and objection form.

Every page scopes its objects to the user (selectors) and answers 404 for
anything else, so an expert not assigned (or recused) and another
committee's secretary learn nothing from a URL.
"""

from __future__ import annotations

import html
import json
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from applications.application_services import call_rename_translations
from applications.models import ApplicationStatus, Attachment, Call
from portal import ratelimit
from portal.errors import PortalError
from portal.models import Committee, CommitteeMember, User
from portal.templatetags.bidi import bdi
from portal.views_helpers import link_prefix, run
from review import forms, selectors, services
from review.models import (
    Assignment,
    CommentTemplate,
    ExpertProfile,
    Meeting,
    PublicityEntry,
    PublicityPeriod,
    RecognitionAssessment,
    Reconsideration,
    Score,
)
from review.page_rows import assignment_rows_html, expert_rows_html
from review.services._common import bureau_region_ids

PAGE_SIZE = 50
#: Rows a page of the call dashboard and of the expert's dashboard shows (issue 15: each page
#: renders a bounded number of rows, read by keyset from an index).
CALL_PAGE_SIZE = 20
EXPERT_ROWS = 20
EXPERT_PAGE_SIZE = 20
LIST_CAP = 20


def _page(request, qs, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _user_by_mobile(mobile: str) -> User | None:
    return User.objects.filter(mobile=(mobile or "").strip(), is_active=True).first()


def _require_bureau(request) -> None:
    if not bureau_region_ids(request.user):
        raise Http404


# --- Public: publicity and objections (R5.6, R6.10) ------------------------------------------

def _objection_allowed(request) -> bool:
    """At most ``REVIEW_OBJECTION_LIMIT`` objections per address per hour."""
    limit, window = getattr(settings, "REVIEW_OBJECTION_LIMIT", (5, 3600))
    return ratelimit.allow(request, "review:objection", limit=limit, window=window)


def publicity_list(request):
    """公示: results in publicity, with masked names only."""
    query = (request.GET.get("q") or "")[:64]
    page = _page(request, selectors.publicity_public(query=query))
    return render(request, "review/publicity_list.html", {"page": page, "query": query,
                                                          "today": timezone.localdate()})


@never_cache
def objection_form(request, entry_pk: int):
    entry = selectors.publicity_public().filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST":
        if not _objection_allowed(request):
            return render(request, "review/objection_form.html", {"entry": entry, "form": form, "limited": True},
                          status=429)
        if form.is_valid():
            objection = run(request, services.objection_create, form=form, entry_id=entry.pk,
                            reason=form.cleaned_data["reason"], contact=form.cleaned_data["contact"],
                            source=ratelimit.address_key(request))
            if objection:
                return render(request, "review/objection_form.html", {"entry": entry, "done": True})
    return render(request, "review/objection_form.html", {"entry": entry, "form": form})


# --- Bureau: committee registry (R2.1–R2.5, R6.8) -----------------------------------------------

@login_required
def committee_registry(request):
    _require_bureau(request)
    status = request.GET.get("status", "")
    qs = selectors.committees_for_bureau(user=request.user)
    if status:
        qs = qs.filter(status=status)
    return render(request, "review/committee_registry.html", {"page": _page(request, qs), "status": status,
                                                              "statuses": Committee.Status.choices})


def _people(text: str, form, field: str) -> list[User] | None:
    people = []
    for line in (text or "").replace(",", "\n").replace("，", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        user = _user_by_mobile(line)
        if user is None:
            form.add_error(field, _("No active account uses the mobile number %(mobile)s.") % {"mobile": line})
            return None
        people.append(user)
    return people


@login_required
def committee_new(request):
    _require_bureau(request)
    form = forms.CommitteeFileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chair = _user_by_mobile(d["chair"])
        if chair is None:
            form.add_error("chair", _("No active account uses this mobile number."))
        members = _people(d["members"], form, "members")
        secretaries = _people(d["secretaries"], form, "secretaries")
        if chair is not None and members is not None and secretaries is not None:
            scopes = [{"level": level, "specialty_id": getattr(s, "pk", None), "region_id": getattr(r, "pk", None),
                       "member_unit_id": getattr(u, "pk", None)}
                      for level in d["levels"] for s in (list(d["specialties"]) or [None])
                      for r in (list(d["regions"]) or [None]) for u in (list(d["member_units"]) or [None])]
            people = ([{"user_id": chair.pk, "role": "chair"}]
                      + [{"user_id": m.pk, "role": "member"} for m in members if m.pk != chair.pk]
                      + [{"user_id": s.pk, "role": "secretary"} for s in secretaries])
            committee = run(request, services.committee_file, form=form, actor=request.user, name=d["name"],
                            name_en=d["name_en"], name_ug=d["name_ug"], kind=d["kind"],
                            organizer_id=d["organizer"].pk, series_id=d["series"].pk,
                            filing_number=d["filing_number"], filed_on=d["filed_on"], valid_until=d["valid_until"],
                            scopes=scopes, members=people)
            if committee:
                messages.success(request, _("Committee filed."))
                return redirect("review-committee-detail", committee.pk)
    return render(request, "review/committee_new.html", {"form": form})


@login_required
def committee_detail(request, pk: int):
    committee = selectors.committee_for_bureau(user=request.user, pk=pk)
    if committee is None:
        raise Http404
    sanction_form, reason_form = forms.SanctionForm(), forms.ReasonForm()
    renew_form, member_form = forms.RenewForm(), forms.MemberAddForm()
    names_form = forms.TranslatedNamesForm(initial={"name_ug": committee.name_ug, "name_en": committee.name_en})
    if request.method == "POST":
        action = request.POST.get("action")
        done = None
        if action == "names":
            names_form = forms.TranslatedNamesForm(request.POST)
            if names_form.is_valid():
                done = run(request, services.committee_rename_translations, form=names_form, actor=request.user,
                           committee_id=committee.pk, **names_form.cleaned_data)
        elif action == "sanction":
            sanction_form = forms.SanctionForm(request.POST)
            if sanction_form.is_valid():
                done = run(request, services.committee_sanction, form=sanction_form, actor=request.user,
                           committee_id=committee.pk, **sanction_form.cleaned_data)
        elif action == "reinstate":
            reason_form = forms.ReasonForm(request.POST)
            if reason_form.is_valid():
                done = run(request, services.committee_reinstate, form=reason_form, actor=request.user,
                           committee_id=committee.pk, reason=reason_form.cleaned_data["reason"])
        elif action == "renew":
            renew_form = forms.RenewForm(request.POST)
            if renew_form.is_valid():
                done = run(request, services.committee_renew, form=renew_form, actor=request.user,
                           committee_id=committee.pk, **renew_form.cleaned_data)
        elif action == "member-add":
            member_form = forms.MemberAddForm(request.POST)
            if member_form.is_valid():
                user = _user_by_mobile(member_form.cleaned_data["mobile"])
                if user is None:
                    member_form.add_error("mobile", _("No active account uses this mobile number."))
                else:
                    done = run(request, services.committee_member_add, form=member_form, actor=request.user,
                               committee_id=committee.pk, user_id=user.pk, role=member_form.cleaned_data["role"])
        elif action == "member-remove":
            done = run(request, services.committee_member_remove, actor=request.user, committee_id=committee.pk,
                       member_id=_int(request.POST.get("member")), reason=request.POST.get("reason", ""))
        else:
            raise Http404
        if done:
            messages.success(request, _("The names in other languages are saved.") if action == "names"
                             else _("Saved."))
            return redirect("review-committee-detail", committee.pk)
    return render(request, "review/committee_detail.html", {
        "committee": committee, "sanction_form": sanction_form, "reason_form": reason_form,
        "renew_form": renew_form, "member_form": member_form, "names_form": names_form})


def _fixed(value, places: int) -> str:
    """A figure with ``places`` decimals, rounded half up (as ``floatformat``; every language of the
    portal writes the decimal point as "."); "" for None."""
    if value is None:
        return ""
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _escaped(value) -> str:
    """``conditional_escape(value)`` as text (a lazy string translated, safe text as it is, anything
    else escaped with ``html.escape`` as Django's ``escape`` does), without the lazy-aware wrappers
    that made two thirds of the dashboard rows' cost (issue 15)."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)  # digits and a sign: nothing to escape
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# One row of the call dashboard's applications table. Built here (every value escaped as the
# template would, by ``_escaped``) rather than by the template engine: twenty rows of a dozen
# variables each were a tenth of the page's CPU (issue 15). The markup is the template's.
# The number, the reviews, the spread and the button do not wrap: in the desktop's two-thirds column
# they broke into one character a line.
_DASHBOARD_ROW = ('<tr>\n        <td class="text-nowrap">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\n'
                  '        <td class="text-nowrap">{}/{}{}</td>\n'
                  '        <td>{}</td><td class="text-nowrap">{}</td>\n'
                  '        <td class="text-end text-nowrap">'
                  '<a class="btn btn-sm btn-outline-danger" href="{}">{}</a></td>\n'
                  '      </tr>')


def _dashboard_rows_html(rows: list[dict], call_id: int) -> str:
    """The call dashboard's rows (from ``selectors.call_application_page``) as safe HTML."""
    esc = _escaped
    # Each status's label escaped once (get_status_display rebuilds and translates every choice a row).
    labels = {value: esc(label) for value, label in ApplicationStatus.choices}
    badge = ' <span class="badge text-bg-warning">{}</span>'.format(esc(_("missing")))
    open_label = esc(pgettext("link", "Open"))
    # Each row's link from one prefix rather than a {% url %} per row.
    prefix = esc(link_prefix("review-call-application", [call_id, 0]))
    html_rows = []
    for a in rows:
        spread = (f"<bdi>{esc(_fixed(a['low'], 1))}–{esc(_fixed(a['high'], 1))}</bdi>"
                  if a["high"] is not None else "—")
        status = labels[a["status"]] if a["status"] in labels else esc(a["status"])
        html_rows.append(_DASHBOARD_ROW.format(
            esc(a["pk"]), esc(a["applicant"]), esc(a["employer"] or "—"), esc(a["specialty"]), status,
            esc(a["n_submitted"]), esc(a["n_experts"]), badge if a["n_submitted"] < a["n_experts"] else "",
            esc(_fixed(a["mean"], 2) or "—"), spread, f"{prefix}{esc(a['pk'])}/", open_label))
    return mark_safe("".join(html_rows))  # noqa: S308 - every value escaped by _escaped


def _experts_rows_html(experts: list[dict]) -> str:
    """The call dashboard's rows of experts' progress as safe HTML: the template's markup, each value
    escaped by ``_escaped`` (the figures are integers, shown unlocalized as in the template)."""
    esc = _escaped
    return mark_safe("".join(  # noqa: S308 - every value escaped by _escaped
        f"<tr><td>{esc(e['name'])}</td><td>{esc(e['assigned'])}</td><td>{esc(e['submitted'])}</td>"
        f"<td>{esc(e['drafts'])}</td></tr>" for e in experts))


def _with_status_labels(rows, choices, url_name: str | None = None) -> list[dict]:
    """Rows read as dicts, each with the label of its status (what get_status_display shows) and,
    given ``url_name``, its link (``url``: that URL of the row's id, from one prefix)."""
    labels = dict(choices.choices)
    rows = list(rows)
    prefix = link_prefix(url_name) if url_name and rows else ""
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        if url_name:
            row["url"] = f"{prefix}{row['pk']}/"
    return rows


def _cursor(value) -> int:
    """A keyset cursor from the query string: an id, or 0 (the first page) when absent or not one."""
    try:
        return min(max(int(value), 0), 2**63 - 1)
    except (TypeError, ValueError):
        return 0


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404


# --- Bureau: filing (备案) and recognition (R4.4–R4.7) -----------------------------------------

@login_required
def filing_queue(request):
    _require_bureau(request)
    page = _page(request, selectors.filing_queue_for_bureau(user=request.user))
    return render(request, "review/filing_queue.html", {"page": page, "today": timezone.localdate()})


@login_required
def filing_detail(request, pk: int):
    period = selectors.period_for_bureau(user=request.user, pk=pk)
    if period is None:
        raise Http404
    form = forms.FilingForm(request.POST or None, initial={"granted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        filing = run(request, services.result_file, form=form, actor=request.user, period_id=period.pk,
                     **form.cleaned_data)
        if filing:
            messages.success(request, _("Filed: %(n)d title(s) granted; certificates are being issued.")
                             % {"n": filing.items.count()})
            return redirect("review-filing-queue")
    entries = list(period.entries.annotate(**selectors.ENTRY_NAMES).prefetch_related("objections").order_by("pk"))
    filing = getattr(period, "filing", None)
    # What still stands in the way of filing, said before the officer fills in the form and meets it as
    # an error (the service checks the same, under the period's lock).
    waiting = []
    if filing is None and period.status != PublicityPeriod.Status.CLOSED:
        # The date isolated (a <bdi>, one line), as every date in a sentence: a Uyghur sentence would
        # otherwise reorder it. The translation is escaped before the safe date goes in.
        waiting.append(mark_safe(conditional_escape(  # noqa: S308 - escaped text and an escaped <bdi>
            _("The publicity runs until %(date)s; results are filed after it closes (R5.6).")) % {
                "date": bdi(period.ends_on.isoformat())}))
    if filing is None and any(o.answered_at is None for e in entries for o in e.objections.all()):
        waiting.append(_("Every objection is answered before the results are filed (R6.10)."))
    return render(request, "review/filing_detail.html", {
        "period": period, "entries": entries, "form": form, "filing": filing, "waiting": waiting})


@login_required
def recognition_queue(request):
    _require_bureau(request)
    page = _page(request, selectors.recognition_queue_for_bureau(user=request.user))
    return render(request, "review/recognition_queue.html", {"page": page})


@login_required
def recognition_detail(request, pk: int):
    application = selectors.recognition_queue_for_bureau(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    form = forms.RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = run(request, services.recognition_decide, form=form, actor=request.user,
                     application_id=application.pk, **form.cleaned_data)
        if record:
            messages.success(request, _("Decided: %(decision)s.") % {"decision": record.get_decision_display()})
            return redirect("review-recognition-queue")
    conditions = (application.frozen_conditions or {}).get("conditions", [])
    return render(request, "review/recognition_detail.html", {
        "application": application, "form": form, "conditions": conditions,
        "achievements": application.achievements.all(), "decisions": RecognitionAssessment.Decision,
        # The evidence the decision rests on (degree, grant, qualification certificate …), openable here.
        "attachments": application.attachments.order_by("pk")})


# --- Secretary ----------------------------------------------------------------------------------

@login_required
def secretary_home(request):
    committees = list(selectors.committees_for_secretary(user=request.user))
    if not committees:
        raise Http404
    return render(request, "review/secretary_home.html", {
        "committees": committees,
        "calls": _page(request, selectors.calls_for_secretary(user=request.user)),
        "meetings": Meeting.objects.filter(committee__in=committees).exclude(status="closed")
        .select_related("call").order_by("scheduled_at")[:20],
        "reconsiderations": selectors.pending_reconsiderations(user=request.user)[:50],
    })


@login_required
def expert_pool(request, pk: int):
    committee = selectors.committees_for_secretary(user=request.user).filter(pk=pk).first()
    if committee is None:
        committee = selectors.committees_for_bureau(user=request.user).filter(pk=pk).first()
    if committee is None:
        raise Http404
    import_form = forms.ExpertImportForm()
    add_form = forms.ExpertAddForm(series=committee.series)
    report = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "import":
            import_form = forms.ExpertImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                report = run(request, services.expert_import_excel, form=import_form, actor=request.user,
                             committee_id=committee.pk, upload=import_form.cleaned_data["file"],
                             dry_run=import_form.cleaned_data["dry_run"])
        elif action == "add":
            add_form = forms.ExpertAddForm(request.POST, series=committee.series)
            if add_form.is_valid():
                d = add_form.cleaned_data
                user = _user_by_mobile(d["mobile"])
                if user is None:
                    add_form.add_error("mobile", _("No active account uses this mobile number."))
                elif run(request, services.expert_add, form=add_form, actor=request.user, committee_id=committee.pk,
                         user_id=user.pk, level=d["level"], specialty_ids=[s.pk for s in d["specialties"]],
                         term_start=d["term_start"], term_end=d["term_end"], employer_name=d["employer_name"]):
                    messages.success(request, _("Expert added."))
                    return redirect("review-expert-pool", committee.pk)
        elif action == "deactivate":
            if run(request, services.expert_deactivate, actor=request.user, expert_id=_int(request.POST.get("expert")),
                   reason=request.POST.get("reason", "")):
                return redirect("review-expert-pool", committee.pk)
        else:
            raise Http404
    experts = (ExpertProfile.objects.filter(committee=committee).select_related("user", "employer")
               .prefetch_related("specialties").order_by("-is_active", "pk"))
    return render(request, "review/expert_pool.html", {
        "committee": committee, "page": _page(request, experts), "import_form": import_form, "add_form": add_form,
        "report": report, "today": timezone.localdate()}, status=400 if import_form.errors or add_form.errors else 200)


def _secretary_call(request, pk: int):
    call = selectors.call_for_secretary(user=request.user, pk=pk)
    if call is None:
        raise Http404
    return call


@login_required
def call_dashboard(request, pk: int):
    """The secretary's call dashboard: progress, mean, spread and missing
    reviews per application, per-expert progress; in flat queries."""
    call = selectors.call_dashboard_heading(user=request.user, pk=pk)  # a dict
    if call is None:
        raise Http404
    setup = call["setup"]  # read with the call; created with the default rubric on the first view
    if setup is None:
        made = services.review_setup_for(Call.objects.only("pk").get(pk=call["pk"]))
        setup = {"blind": made.blind, "experts_per_application": made.experts_per_application,
                 "rubric": {"name": made.rubric.name}}
    setup_form = forms.ReviewSetupForm(initial={"blind": setup["blind"],
                                                "experts_per_application": setup["experts_per_application"]})
    publicise_form = forms.PubliciseForm(initial={"starts_on": timezone.localdate()})
    # Whoever sees the dashboard is a secretary of the call's committee: the one who names its calls.
    names_form = forms.TranslatedNamesForm(initial={"name_ug": call["name_ug"], "name_en": call["name_en"]})
    if request.method == "POST":
        action = request.POST.get("action")
        result = None
        if action == "names":
            names_form = forms.TranslatedNamesForm(request.POST)
            if names_form.is_valid():
                result = run(request, call_rename_translations, form=names_form, actor=request.user,
                             call_id=call["pk"], **names_form.cleaned_data,
                             success=_("The names in other languages are saved."))
        elif action == "setup":
            setup_form = forms.ReviewSetupForm(request.POST)
            if setup_form.is_valid():
                result = run(request, services.review_setup_configure, form=setup_form, actor=request.user,
                             call_id=call["pk"], **setup_form.cleaned_data)
        elif action == "start":
            result = run(request, services.evaluation_start, actor=request.user, call_id=call["pk"])
            if result is not None:
                messages.success(request, _("%(n)d application(s) taken into evaluation.") % {"n": result})
        elif action == "draw":
            result = run(request, services.assignment_draw, actor=request.user, call_id=call["pk"])
            if result is not None:
                messages.success(request, _("%(n)d expert(s) drawn.") % {"n": result.drawn})
                if result.short:
                    messages.warning(request, _("Not enough eligible experts for %(n)d application(s).")
                                     % {"n": len(result.short)})
        elif action == "publicise":
            publicise_form = forms.PubliciseForm(request.POST)
            if publicise_form.is_valid():
                result = run(request, services.result_publicise, form=publicise_form, actor=request.user,
                             call_id=call["pk"], starts_on=publicise_form.cleaned_data["starts_on"])
                if result:
                    return redirect("review-publicity-manage", result.pk)
        else:
            raise Http404
        if result is not None or action in ("start", "draw"):
            return redirect("review-call-dashboard", call["pk"])
    status = request.GET.get("status", "")
    if status not in selectors.APPLICATION_STATUSES:
        status = ""
    # The experts' progress rows (one per expert drawn: bounded by the committee, not the call),
    # shown a page at a time, read with the review totals.
    experts_from = _cursor(request.GET.get("experts_from"))
    summary = selectors.call_summary_page(call=call["pk"], status_counts=call["status_counts"],
                                          experts_from=experts_from, size=EXPERT_ROWS)
    # One page of applications by keyset (ids after the last one shown), read from an index: the
    # same cost on the first page and the last, whatever the size of the call (issue 15).
    after = _cursor(request.GET.get("after"))
    rows, more = selectors.call_application_page(call=call["pk"], status=status, after=after, size=CALL_PAGE_SIZE)
    rows_html = _dashboard_rows_html(rows, call["pk"])
    query = f"status={status}&" if status else ""
    experts = summary["experts"]
    meetings, periods = selectors.call_meetings_and_periods(
        call=call["pk"], limit=LIST_CAP, names=(call["name"], call["name_en"], call["name_ug"]))
    return render(request, "review/call_dashboard.html", {
        "call": call, "setup": setup, "setup_form": setup_form, "publicise_form": publicise_form,
        "names_form": names_form,
        "summary": summary, "rows": rows, "rows_html": rows_html, "status": status,
        "first_url": ("?" + query.rstrip("&")) if after else "",
        "next_url": f"?{query}after={rows[-1]['pk']}" if more else "",
        "experts": experts, "experts_html": _experts_rows_html(experts),
        "experts_first_url": "?" if experts_from else "",
        "experts_next_url": f"?experts_from={experts_from + EXPERT_ROWS}" if summary["experts_more"] else "",
        "meetings": _with_status_labels(meetings, Meeting.Status, "review-meeting-console"),
        "periods": _with_status_labels(periods, PublicityPeriod.Status, "review-publicity-manage"),
        # The call's links from one prefix each, not a reverse a request: "/review/calls/<pk>/…".
        "defences_url": f"{link_prefix('review-defences', tail='0/defences/')}{call['pk']}/defences/",
        "meeting_new_url": f"{link_prefix('review-meeting-new', tail='0/meetings/new/')}{call['pk']}/meetings/new/",
    })


@login_required
def call_application(request, pk: int, app_pk: int):
    # The secretary's check and the application in one read: a 404 when either fails, as before.
    application = selectors.application_for_secretary(user=request.user, call_id=pk, pk=app_pk)
    if application is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "redraw":
            form = forms.ReasonForm(request.POST)
            if form.is_valid():
                assignment = Assignment.objects.filter(application_id=application["pk"],
                                                       pk=_int(request.POST.get("assignment"))).first()
                if assignment is None:
                    raise Http404
                if run(request, services.assignment_redraw, actor=request.user, assignment_id=assignment.pk,
                       reason=form.cleaned_data["reason"]) is not None:
                    messages.success(request, _("The expert was withdrawn and another drawn."))
            else:
                messages.error(request, _("Give the reason for the redraw (R6.6)."))
        elif action == "reconsideration":
            form = forms.ReconsiderationDecideForm(request.POST)
            if form.is_valid() and Reconsideration.objects.filter(
                    application_id=application["pk"], pk=form.cleaned_data["reconsideration"]).exists():
                run(request, services.reconsideration_decide, actor=request.user,
                    reconsideration_id=form.cleaned_data["reconsideration"], upheld=form.cleaned_data["upheld"],
                    outcome=form.cleaned_data["outcome"])
            else:
                messages.error(request, _("Record the outcome."))
        else:
            raise Http404
        return redirect("review-call-application", application["call_id"], application["pk"])
    review = selectors.application_review_for_secretary(application_id=application["pk"])
    # The page's token, for the rows' forms and base.html's alike (one masked token a page, as the
    # csrf context processor's).
    csrf_token = get_token(request)
    assignments_html, comments_html = assignment_rows_html(review["assignments"], csrf_token)
    return render(request, "review/call_application.html", {
        "application": application, **review, "csrf_token": csrf_token,
        "assignments_html": assignments_html, "comments_html": comments_html,
        # The outcome form is shown on a pending reconsideration only: built then.
        "reconsideration_form": (forms.ReconsiderationDecideForm()
                                 if any(r["status"] == "pending" for r in review["reconsiderations"]) else None)})


@login_required
def defences(request, pk: int):
    call = _secretary_call(request, pk)
    session_form = forms.DefenceSessionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "session":
            session_form = forms.DefenceSessionForm(request.POST)
            if session_form.is_valid() and run(request, services.defence_session_create, form=session_form,
                                               actor=request.user, call_id=call.pk, **session_form.cleaned_data):
                return redirect("review-defences", call.pk)
        elif action == "slot":
            form = forms.DefenceSlotForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                run(request, services.defence_slot_add, actor=request.user, session_id=d["session"],
                    application_id=d["application"], starts_at=d["starts_at"], ends_at=d["ends_at"],
                    success=_("Slot added; the applicant is told."))
            else:
                messages.error(request, _("Choose the applicant from the list and enter the slot's start and end."))
            return redirect("review-defences", call.pk)
        elif action == "result":
            form = forms.DefenceResultForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                run(request, services.defence_result_record, actor=request.user, slot_id=d["slot"],
                    attendance=d["attendance"], score=d["score"], comment=d["comment"], success=_("Recorded."))
            else:
                messages.error(request, _("The defence score is a number from 0 to 100."))
            return redirect("review-defences", call.pk)
        else:
            raise Http404
    sessions = selectors.defence_sessions_for_secretary(call=call)
    return render(request, "review/defences.html", {"call": call, "sessions": sessions,
                                                    "session_form": session_form, "now": timezone.now()})


@login_required
def meeting_new(request, pk: int):
    """Plan a meeting: the call's applications in evaluation, those ready for a
    vote to tick, the others each with what they lack and where to fix it."""
    call = _secretary_call(request, pk)
    readiness = services.vote_readiness(call=call)
    ready = [r.application.pk for r in readiness if r.ready]
    form = forms.MeetingForm(request.POST or None, initial={"title": call.display_name[:128]})
    if request.method == "POST" and form.is_valid():
        chosen = [i for i in (_int(v) for v in request.POST.getlist("applications")) if i in ready]
        if not chosen:
            form.add_error(None, _("Tick at least one application that is ready for the vote."))
        else:
            meeting = run(request, services.meeting_create, form=form, actor=request.user, call_id=call.pk,
                          application_ids=chosen, **form.cleaned_data)
            if meeting:
                messages.success(request, _("Meeting planned with %(n)d candidate(s). Record who is present, then "
                                            "open it.") % {"n": len(chosen)})
                return redirect("review-meeting-console", meeting.pk)
    ticked = set(ready) if request.method != "POST" else {_int(v) for v in request.POST.getlist("applications")}
    return render(request, "review/meeting_new.html", {
        "call": call, "form": form, "ready": [r for r in readiness if r.ready],
        "lacking": [r for r in readiness if not r.ready], "ticked": ticked,
        "ceiling": services.call_ceiling(call=call, extra_candidates=len(ready))})


@login_required
def meeting_console(request, pk: int):
    meeting = selectors.meeting_for_secretary(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "attendance":
            run(request, services.meeting_attendance_record, actor=request.user, meeting_id=meeting.pk,
                member_ids=[_int(v) for v in request.POST.getlist("present")], success=_("Attendance recorded."))
        elif action == "notice":
            told = run(request, services.meeting_notice_send, actor=request.user, meeting_id=meeting.pk)
            if told is not None:
                messages.success(request, _("The notice was sent to %(n)d member(s).") % {"n": told})
        elif action == "open":
            run(request, services.meeting_open, actor=request.user, meeting_id=meeting.pk,
                success=_("The meeting is open; members present can vote."))
        elif action == "close_ballot":
            run(request, services.meeting_ballot_close, actor=request.user, meeting_id=meeting.pk,
                success=_("The ballot is closed and counted."))
        elif action == "resolve":
            run(request, services.meeting_resolve_excess, actor=request.user, meeting_id=meeting.pk,
                candidate_ids=[_int(v) for v in request.POST.getlist("candidates")],
                reason=request.POST.get("reason", ""), success=_("The decision is recorded."))
        elif action == "close":
            run(request, services.meeting_close, actor=request.user, meeting_id=meeting.pk,
                success=_("The meeting is closed; the results are recorded."))
        else:
            raise Http404
        return redirect("review-meeting-console", meeting.pk)
    members = list(CommitteeMember.objects.filter(committee_id=meeting.committee_id, is_active=True,
                                                  role__in=["chair", "member"], user__is_active=True)
                   .select_related("user").order_by("role", "pk"))
    present = {a.member_id for a in meeting.attendance.all()}
    candidates = list(meeting.candidates.all())
    n_members = meeting.members_total if meeting.members_total is not None else len({m.user_id for m in members})
    n_present = meeting.present_total if meeting.present_total is not None else len(
        present & {m.user_id for m in members})
    excess = None
    if meeting.status in (Meeting.Status.COUNTED, Meeting.Status.CLOSED):  # never from a ballot still open (R6.5)
        excess = services.meeting_excess(meeting)
        passing = {c.pk for c in excess.passing}
        for c in candidates:
            c.would_pass = c.pk in passing
    return render(request, "review/meeting_console.html", {
        "meeting": meeting, "members": members, "present": present, "candidates": candidates,
        "quorum": services.quorum_met(present=n_present, members=n_members), "n_members": n_members,
        "n_present": n_present, "needed": services.quorum_needed(n_members),
        "ceiling": excess.ceiling if excess else services.call_ceiling(call=meeting.call, meeting=meeting),
        "excess": excess, "tallies": meeting.status in (Meeting.Status.COUNTED, Meeting.Status.CLOSED)})


@login_required
def publicity_manage(request, pk: int):
    period = selectors.period_for_manager(user=request.user, pk=pk)
    if period is None:
        raise Http404
    revealed: dict = {}
    if request.method == "POST" and request.POST.get("action") == "reveal":
        # The objector's contact in full, for this answer only: shown on this response, never stored
        # in the page's URL, and recorded in the audit trail.
        objection_id = _int(request.POST.get("objection"))
        if objection_id and PublicityEntry.objects.filter(period=period, objections__pk=objection_id).exists():
            revealed = {"id": objection_id,
                        "contact": services.objection_contact_reveal(actor=request.user, objection_id=objection_id)}
    elif request.method == "POST":
        form = forms.ObjectionAnswerForm(request.POST)
        if form.is_valid() and PublicityEntry.objects.filter(period=period, objections__pk=form.cleaned_data[
                "objection"]).exists():
            run(request, services.objection_answer, actor=request.user, objection_id=form.cleaned_data["objection"],
                answer=form.cleaned_data["answer"], upheld=form.cleaned_data["upheld"], success=_("Answered."))
        else:
            messages.error(request, _("Write the answer (R6.10)."))
        return redirect("review-publicity-manage", period.pk)
    return render(request, "review/publicity_manage.html",
                  {"period": period, "answer_form": forms.ObjectionAnswerForm(), "revealed": revealed})


# --- Members: secret ballot (R6.5) -------------------------------------------------------------------

@login_required
def meeting_vote(request, pk: int):
    meeting = selectors.meeting_for_member(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    if request.method == "POST":
        run(request, services.ballot_cast, actor=request.user, meeting_id=meeting.pk,
            candidate_id=_int(request.POST.get("candidate")), choice=request.POST.get("choice", ""),
            success=_("Your vote is recorded."))
        return redirect("review-meeting-vote", meeting.pk)
    return render(request, "review/meeting_vote.html", {"meeting": meeting, "candidates": meeting.candidates.all()})


# --- Experts (R5.2, R6.6) ---------------------------------------------------------------------------

@login_required
def expert_home(request):
    if request.method == "POST":
        form = forms.ConflictForm(request.POST)
        assignment_id = _int(request.POST.get("assignment"))
        if form.is_valid():
            if run(request, services.conflict_declare, actor=request.user, assignment_id=assignment_id,
                   reason=form.cleaned_data["reason"]):
                messages.success(request, _("Conflict declared: the application is no longer yours and another "
                                            "expert is drawn."))
        else:
            messages.error(request, _("Say what the conflict of interest is."))
        return redirect("review-expert-home")
    # Pending first, then by id: the stored sort key ``scored`` (kept by ``score_submit``) and the
    # index (expert_user, scored, id) give one page by keyset, whatever the number of assignments
    # (issue 15). The cursor is the last row shown: "<scored>-<id>".
    scored, _sep, last = request.GET.get("after", "").partition("-")
    scored, last = scored == "1", _cursor(last)
    rows = selectors.expert_queue_page(user=request.user, scored=scored, after=last, size=EXPERT_PAGE_SIZE)
    more = len(rows) > EXPERT_PAGE_SIZE
    rows = rows[:EXPERT_PAGE_SIZE]
    # One prefix for the page, not a {% url %} per row: "/review/expert/assignments/".
    prefix = link_prefix("review-expert-assignment")
    for row in rows:
        row["url"] = f"{prefix}{row['pk']}/"
    # The page's token, for the rows' forms and base.html's alike (as the csrf context processor's
    # would be: one masked token a page).
    csrf_token = get_token(request)
    return render(request, "review/expert_home.html", {
        "rows": rows, "rows_html": expert_rows_html(rows, csrf_token), "csrf_token": csrf_token,
        "first_url": "?" if last else "",
        "next_url": f"?after={int(rows[-1]['scored'])}-{rows[-1]['pk']}" if more else "",
        "meetings": selectors.meeting_votes_for_member(user=request.user),
        "workload": selectors.expert_workload(user=request.user)})


def _own_assignment(request, pk: int) -> Assignment:
    assignment = selectors.assignment_for_expert(user=request.user, pk=pk)
    if assignment is None:
        raise Http404
    return assignment


def _criteria(assignment: Assignment) -> list[dict]:
    score = getattr(assignment, "score", None)
    if score is not None:
        return score.rubric_frozen
    return services.freeze_rubric(services.review_setup_for(assignment.application.call).rubric)


@login_required
def expert_assignment(request, pk: int):
    """The scoring form with the materials beside it (R5.2)."""
    assignment = _own_assignment(request, pk)
    application = assignment.application
    setup = services.review_setup_for(application.call)
    services.assignment_mark_seen(assignment=assignment)
    criteria = _criteria(assignment)
    score = getattr(assignment, "score", None)
    initial = {"verdict": score.verdict if score else "", "comment": score.comment if score else ""}
    for c in criteria:
        initial[f"c_{c['code']}"] = (score.values.get(c["code"]) if score else None)
    form = forms.ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    locked = score is not None and score.status == Score.Status.SUBMITTED
    # A suspended, revoked or lapsed committee scores nothing: said before the form, not after it.
    halted = "" if locked else services.scoring_halted_reason(committee=application.call.committee)
    if request.method == "POST" and not locked and form.is_valid():
        fn = services.score_submit if request.POST.get("action") == "submit" else services.score_save
        saved = run(request, fn, form=form, actor=request.user, assignment_id=assignment.pk, values=form.values(),
                    verdict=form.cleaned_data["verdict"], comment=form.cleaned_data["comment"])
        if saved:
            messages.success(request, _("Submitted; the score is locked.") if saved.status == "submitted"
                             else _("Saved."))
            return redirect("review-expert-assignment", assignment.pk)
    templates = CommentTemplate.objects.filter(rubric=setup.rubric).order_by("verdict", "order")
    return render(request, "review/expert_assignment.html", {
        "assignment": assignment, "application": application, "blind": setup.blind, "form": form,
        "criteria": criteria, "score": score, "locked": locked, "halted": halted, "templates": templates,
        "achievements": application.achievements.all(), "attachments": application.attachments.all(),
        "version": score.version if score else 0})


@login_required
@require_POST
def score_autosave(request, pk: int):
    """JSON autosave of the scoring form (static/review/js/scoring.js)."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": _("Not JSON.")}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"detail": _("Not JSON.")}, status=400)
    version = data.get("version")
    if version is not None and not isinstance(version, int):
        return JsonResponse({"detail": _("Bad version.")}, status=400)
    try:
        score = services.score_save(actor=request.user, assignment_id=pk, values=data.get("values"),
                                    verdict=data.get("verdict") if isinstance(data.get("verdict"), str) else None,
                                    comment=data.get("comment") if isinstance(data.get("comment"), str) else None,
                                    version=version)
    except PortalError as error:
        return JsonResponse(error.as_dict(), status=error.status_code)
    return JsonResponse({"version": score.version, "total": str(score.total) if score.total is not None else None,
                         "saved_at": timezone.localtime(score.saved_at).strftime("%H:%M:%S")})


@login_required
def expert_attachment(request, pk: int, file_pk: int):
    assignment = _own_assignment(request, pk)
    attachment = Attachment.objects.filter(pk=file_pk, application_id=assignment.application_id).first()
    if attachment is None:
        raise Http404
    services.assignment_mark_seen(assignment=assignment)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    return FileResponse(handle, content_type=attachment.content_type, as_attachment=False,
                        filename=attachment.original_name)


# --- Applicant --------------------------------------------------------------------------------------

@login_required
def my_reviews(request):
    applications = selectors.reviews_for_applicant(user=request.user)
    if request.method == "POST":
        form = forms.ReconsiderationRequestForm(request.POST)
        if form.is_valid():
            run(request, services.reconsideration_request, form=form, actor=request.user,
                application_id=form.cleaned_data["application"], reason=form.cleaned_data["reason"],
                success=_("Your request is recorded; the committee will answer."))
            if not form.errors:
                return redirect("review-my-reviews")
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("review-my-reviews")
    return render(request, "review/my_reviews.html", {"page": _page(request, applications),
                                                      "request_form": forms.ReconsiderationRequestForm()})

