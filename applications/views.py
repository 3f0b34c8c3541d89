"""HTML pages of the applications app. Views shape input and output; the rules
live in ``application_services`` and the reads in ``selectors``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import application_services as svc
from applications import dashboard as dashboard_html
from applications import selectors, workflow
from applications.eligibility import EligibilityInput, eligibility_check
from applications.forms import (
    PROFILE_FORMS,
    AchievementForm,
    ApplicationFilterForm,
    ApplicationStartForm,
    AttachmentForm,
    BasicsForm,
    CallOpenForm,
    CorrectionAnswerForm,
    CorrectionFormSet,
    DecisionForm,
    EligibilityCheckForm,
    EvidenceForm,
    ObjectionAnswerForm,
    ObjectionForm,
    SubmitForm,
    WithdrawForm,
)
from applications.models import ApplicationStatus
from applications.profile import profile_record_add, profile_record_remove, profile_records
from applications.receipts import contents_in_language, receipts_for_applicant
from portal import ratelimit
from portal.models import PolicySettings, Role
from portal.personal_data import mask_name
from portal.views_helpers import role_required, run

S = ApplicationStatus


def eligibility(request):
    """Public self-check (no login): the engine's verdict with one line per condition."""
    form = EligibilityCheckForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        result = run(request, eligibility_check, form=form, facts=EligibilityInput.from_data(form.cleaned_data))
    return render(request, "applications/eligibility.html", {"form": form, "result": result})


# --- Helpers ------------------------------------------------------------------------

def _own(request, pk: int):
    """The user's own application (404 for anyone else's)."""
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    if application is None or application.applicant_id != request.user.pk:
        raise Http404
    return application


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _int_list(values) -> list[int]:
    result = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**62:
            result.append(number)
    return result


def _form_errors_as_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- The applicant: dashboard and profile ------------------------------------------------

@login_required
def dashboard(request):
    """My applications with their stages, timeline and the deadline to watch; the open calls. The
    cards and the calls are written by ``applications.dashboard`` (issue 15), the frame around them
    once per process and language (``{% shell %}``)."""
    applications, events = selectors.applicant_dashboard(user=request.user, limit=50)
    return render(request, "applications/dashboard.html", {
        "cards": dashboard_html.cards_html(applications, events),
        "open_calls": dashboard_html.open_calls_html(selectors.open_calls_list(limit=5))})


def _profile_context(request, bound: dict | None = None) -> dict:
    records = profile_records(user=request.user)
    sections = []
    for kind, (form_class, title) in PROFILE_FORMS.items():
        form = (bound or {}).get(kind) or form_class(prefix=kind)
        sections.append({"kind": kind, "title": title, "rows": records[kind], "form": form})
    return {"sections": sections}


@login_required
def profile(request):
    """Entered once and reused by every application (R5.1)."""
    return render(request, "applications/profile.html", _profile_context(request))


@login_required
@require_POST
def profile_add(request, kind: str):
    if kind not in PROFILE_FORMS:
        raise Http404
    form_class, _title = PROFILE_FORMS[kind]
    form = form_class(request.POST, prefix=kind)
    if form.is_valid() and run(request, profile_record_add, form=form, user=request.user, kind=kind,
                               data=form.cleaned_data, success=_("Added to your profile.")):
        return redirect(reverse("applicant-profile") + f"#{kind}")
    return render(request, "applications/profile.html", _profile_context(request, {kind: form}), status=400)


@login_required
@require_POST
def profile_remove(request, kind: str, record_id: int):
    if kind not in PROFILE_FORMS:
        raise Http404
    run(request, profile_record_remove, user=request.user, kind=kind, record_id=record_id,
        success=_("Removed from your profile."))
    return redirect(reverse("applicant-profile") + f"#{kind}")


# --- New application --------------------------------------------------------------------

@login_required
def application_new(request):
    """Choose an open call (series, levels, closing date)."""
    return render(request, "applications/new.html", {"calls": list(selectors.open_calls())})


@login_required
def application_start(request, call_id: int):
    call = selectors.open_calls().filter(pk=call_id).first()
    if call is None:
        messages.error(request, _("This call is not open for applications."))
        return redirect("application-new")
    form = ApplicationStartForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        application = run(request, svc.application_create, form=form, applicant=request.user, call_id=call.pk,
                          specialty_id=d["specialty"].pk, level=d["level"], pathway=d["pathway"],
                          channel=d["channel"], sponsor_id=d["sponsor"].pk if d["sponsor"] else None,
                          success=_("Draft created. It is saved as you type."))
        if application:
            return redirect("application-edit", application.pk, "basics")
    return render(request, "applications/start.html", {"call": call, "form": form})


# --- The multi-step form ------------------------------------------------------------------

STEPS = [("basics", gettext_lazy("Basics")), ("achievements", gettext_lazy("Achievements")),
         ("materials", gettext_lazy("Materials")), ("submit", gettext_lazy("Pledge and submit"))]
STEP_CODES = [code for code, _label in STEPS]


def _materials_choices(application, unlocked) -> list[tuple[str, str]]:
    codes = list(svc.MATERIALS.get(application.pathway, ())) + ["other"]
    codes = [c for c in codes if svc.file_may_be_added(unlocked, material=c)]
    return [(c, str(svc.MATERIAL_NAMES[c])) for c in codes]


def _open_round(application):
    """The return the applicant is answering, with each correction marked done or not."""
    rounds = selectors.application_correction_rounds(application=application)
    return next((r for r in rounds if r.open), None)


@login_required
def application_edit(request, pk: int, step: str):
    if step not in STEP_CODES:
        raise Http404
    application = _own(request, pk)
    if application.status not in (S.DRAFT, S.RETURNED):
        messages.info(request, _("The application has been submitted and can no longer be edited."))
        return redirect("application-detail", application.pk)
    unlocked = svc.application_unlocked(application)
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    policy = PolicySettings.load()
    max_file = policy.max_file_mb * 1024 * 1024
    returned = application.status == S.RETURNED
    context = {"application": application, "step": step, "steps": STEPS, "unlocked": unlocked,
               "max_file": max_file, "max_application_mb": policy.max_application_mb,
               "returned": returned,
               "legacy_corrections": [c for c in selectors.corrections_without_round(application=application)
                                      if c.resolved_at is None],
               "deadline": selectors.application_deadline(application)}
    context["open_round"] = _open_round(application) if returned else None
    context["open_rounds"] = [context["open_round"]] if context["open_round"] else []
    if step == "basics":
        form = BasicsForm(post, application=application, unlocked=unlocked)
        if post is not None and form.is_valid():
            if run(request, svc.application_update_draft, form=form, actor=request.user,
                   application_id=application.pk, data=form.changed_values(), success=_("Saved.")) is not None:
                return redirect("application-edit", application.pk,
                                "achievements" if "next" in request.POST else "basics")
        context["form"] = form
        context["autosave_url"] = reverse("api-application-detail", args=[application.pk])
    elif step == "achievements":
        achievements = list(application.achievements.all())
        context["achievements"] = achievements
        context["may_add"] = unlocked is None or "achievements" in unlocked
        context["changeable"] = {a.pk for a in achievements if svc._may_change_achievement(unlocked, a.pk)}
        context["evidence_open"] = {a.pk for a in achievements
                                    if svc.file_may_be_added(unlocked, material="evidence", achievement_id=a.pk)}
        context["removable"] = {f.pk for a in achievements for f in a.evidence.all()
                                if svc.file_may_be_removed(unlocked, f)}
        editing = _int_list([request.POST.get("achievement")]) if post is not None and \
            request.POST.get("form") == "achievement-edit" else []
        context["edit_forms"] = {a.pk: AchievementForm(post if a.pk in editing else None, instance=a,
                                                       prefix=f"a{a.pk}")
                                 for a in achievements if a.pk in context["changeable"]}
        for pk in editing:
            edit_form = context["edit_forms"].get(pk)
            if edit_form is None:
                raise Http404
            if edit_form.is_valid():
                d = edit_form.cleaned_data
                if run(request, svc.achievement_update, form=edit_form, actor=request.user,
                       application_id=application.pk, achievement_id=pk, kind=d["kind"], title=d["title"],
                       role=d["role"], number=d["number"], achieved_on=d["achieved_on"],
                       economic_benefit=d["economic_benefit"], description=d["description"],
                       success=_("Achievement changed.")):
                    return redirect("application-edit", application.pk, "achievements")
            context["refused"] = True
            context["editing"] = pk
        form = AchievementForm(post if post is not None and request.POST.get("form") == "achievement" else None)
        evidence_form = EvidenceForm(post if post is not None and request.POST.get("form") == "evidence" else None,
                                     files if post is not None and request.POST.get("form") == "evidence" else None)
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            if run(request, svc.achievement_add, form=form, actor=request.user, application_id=application.pk,
                   kind=d["kind"], title=d["title"], role=d["role"], number=d["number"],
                   achieved_on=d["achieved_on"], economic_benefit=d["economic_benefit"],
                   description=d["description"], success=_("Achievement added. Add its evidence below.")):
                return redirect("application-edit", application.pk, "achievements")
        if evidence_form.is_bound:
            if evidence_form.is_valid():
                if run(request, svc.attachment_add, form=evidence_form, actor=request.user,
                       application_id=application.pk, material="evidence", upload=evidence_form.cleaned_data["file"],
                       achievement_id=evidence_form.cleaned_data["achievement"], success=_("Evidence added.")):
                    return redirect("application-edit", application.pk, "achievements")
            _form_errors_as_messages(request, evidence_form)
            context["refused"] = True
        context["form"] = form
    elif step == "materials":
        choices = _materials_choices(application, unlocked)
        form = AttachmentForm(post, files, materials=choices, max_bytes=max_file)
        if post is not None and form.is_valid():
            if run(request, svc.attachment_add, form=form, actor=request.user, application_id=application.pk,
                   material=form.cleaned_data["material"], upload=form.cleaned_data["file"],
                   success=_("File added.")):
                return redirect("application-edit", application.pk, "materials")
        context.update(form=form, checklist=svc.application_checklist(application),
                       materials=application.materials, may_upload=bool(choices),
                       removable={a.pk for a in application.materials if svc.file_may_be_removed(unlocked, a)})
    else:  # submit
        form = SubmitForm(post)
        if post is not None and application.status == S.DRAFT and form.is_valid():
            if run(request, svc.application_submit, form=form, actor=request.user, application_id=application.pk,
                   pledge_text=str(svc.PLEDGE_TEXT), pledge_accepted=True, ip_address=_client_ip(request),
                   success=_("Submitted. You can follow it on this page.")):
                return redirect("application-detail", application.pk)
        context.update(form=form, pledge_text=svc.PLEDGE_TEXT, checklist=svc.application_checklist(application),
                       eligibility=svc.application_eligibility(application), answer_form=CorrectionAnswerForm())
    refused = context.get("refused") or (context.get("form") is not None and context["form"].errors)
    status = 400 if post is not None and refused else 200
    return render(request, "applications/edit.html", context, status=status)


@login_required
@require_POST
def achievement_remove(request, pk: int, achievement_id: int):
    application = _own(request, pk)
    run(request, svc.achievement_remove, actor=request.user, application_id=application.pk,
        achievement_id=achievement_id, success=_("Achievement removed."))
    return redirect("application-edit", application.pk, "achievements")


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_id: int):
    application = _own(request, pk)
    run(request, svc.attachment_remove, actor=request.user, application_id=application.pk,
        attachment_id=attachment_id, success=_("File removed."))
    return redirect("application-edit", application.pk, request.POST.get("step") if request.POST.get("step")
                    in STEP_CODES else "materials")


# --- The applicant's detail --------------------------------------------------------------

@login_required
def application_detail(request, pk: int):
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    if application is None:
        raise Http404
    if application.applicant_id != request.user.pk:
        return redirect("application-review", application.pk)
    events = selectors.application_timeline(application=application)
    return render(request, "applications/detail.html", {
        "application": application, "stages": selectors.application_stages(application),
        "deadline": selectors.application_deadline(application),
        "timeline": selectors.timeline_rows(events, milestones_only=True, application=application),
        "rounds": selectors.application_correction_rounds(application=application),
        "legacy_corrections": selectors.corrections_without_round(application=application),
        "can_withdraw": application.status in workflow.WITHDRAWABLE,
        "withdraw_form": WithdrawForm(),
        "receipts": list(receipts_for_applicant(user=request.user, application_id=application.pk)),
    })


@login_required
def application_receipt(request, pk: int, seq: int):
    """The receipt of one submission (printable): only the applicant's own."""
    receipt = receipts_for_applicant(user=request.user, application_id=pk).filter(seq=seq).select_related(
        "application").first()
    if receipt is None:
        raise Http404
    return render(request, "applications/receipt.html", {"receipt": receipt, "application": receipt.application,
                                                         "c": contents_in_language(receipt, receipt.application)})


@login_required
@require_POST
def application_withdraw(request, pk: int):
    application = _own(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run(request, svc.application_withdraw, actor=request.user, application_id=application.pk, reason=reason,
        success=_("Withdrawn."))
    return redirect("application-detail", application.pk)


@login_required
@require_POST
def correction_answer(request, pk: int, correction_id: int):
    """The applicant answers one correction in words (or takes the answer back)."""
    application = _own(request, pk)
    form = CorrectionAnswerForm(request.POST)
    if form.is_valid():
        run(request, svc.correction_answer, actor=request.user, application_id=application.pk,
            correction_id=correction_id, answer=form.cleaned_data["answer"],
            success=_("Answer saved.") if form.cleaned_data["answer"] else _("Answer taken back."))
    else:
        _form_errors_as_messages(request, form)
    return redirect(reverse("application-edit", args=[application.pk, "submit"]) + f"#correction-{correction_id}")


@login_required
@require_POST
def application_resubmit(request, pk: int):
    application = _own(request, pk)
    if run(request, svc.application_resubmit, actor=request.user, application_id=application.pk,
           success=_("Resubmitted: it goes back to the stage that returned it.")):
        return redirect("application-detail", application.pk)
    return redirect("application-edit", application.pk, "submit")


def _reviewer_or_applicant(request, pk: int):
    """Whoever may see the application (``selectors.visible_q``) may read its files."""
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    application = _reviewer_or_applicant(request, pk)
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404
    response = FileResponse(handle, content_type=attachment.content_type, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def application_pdf(request, pk: int):
    """The application form (申报表) as a PDF, generated by the server."""
    application = _reviewer_or_applicant(request, pk)
    response = HttpResponse(selectors.application_form_pdf(application=application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="application-{application.pk}.pdf"'
    return response


# --- Reviewing: one application ---------------------------------------------------------

#: Actions a reviewer takes on the review page, by the workflow table.
REVIEWER_ACTIONS = ("employer_approve", "employer_return", "publicity_end", "publicity_reject", "accept",
                    "acceptance_return", "audit_approve", "audit_return", "audit_reject")
ACTION_BUTTONS = {
    "employer_approve": (gettext_lazy("Approve and start unit publicity"), "success"),
    "publicity_end": (gettext_lazy("End publicity and forward"), "success"),
    "accept": (gettext_lazy("Accept"), "success"),
    "audit_approve": (gettext_lazy("Pass the qualification audit"), "success"),
    "publicity_reject": (gettext_lazy("Reject"), "danger"),
    "audit_reject": (gettext_lazy("Reject"), "danger"),
}


@login_required
def application_review(request, pk: int):
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    if application is None:
        raise Http404
    roles = svc.application_roles(user=request.user, application=application)
    if roles == {workflow.APPLICANT}:
        return redirect("application-detail", application.pk)
    # No role but visible: the employer's HR reading an application its original unit reviews (R1.7, R5.4).
    actions = [a for a in workflow.APPLICATION_WORKFLOW.actions_from(application.status, roles)
               if a in REVIEWER_ACTIONS]
    may_return = any(a in workflow.RETURN_ACTIONS.values() for a in actions)
    targets = svc.correction_targets(application)
    decision = DecisionForm(request.POST if request.method == "POST" and "action" in request.POST else None)
    corrections = CorrectionFormSet(request.POST if decision.is_bound and request.POST.get("action") == "return"
                                    else None, prefix="c", form_kwargs={"targets": targets})
    answer_form = ObjectionAnswerForm(request.POST if request.method == "POST" and "objection" in request.POST
                                      else None)
    if decision.is_bound and decision.is_valid():
        d = decision.cleaned_data
        action = d["action"]
        done = None
        if action == "return" and may_return:
            if corrections.is_valid():
                items = [{"target": f.cleaned_data.get("target"), "message": f.cleaned_data.get("message")}
                         for f in corrections.forms if f.cleaned_data]
                done = run(request, svc.application_decide, form=decision, actor=request.user,
                           application_id=application.pk, action="return", reason=d["reason"], corrections=items,
                           due_on=d["due_on"], success=_("Returned with the corrections listed."))
        elif action in actions and action not in workflow.RETURN_ACTIONS.values():
            done = run(request, svc.application_decide, form=decision, actor=request.user,
                       application_id=application.pk, action=action, reason=d["reason"], success=_("Done."))
        else:
            messages.error(request, _("This action is not available."))
            return redirect("application-review", application.pk)
        if done is not None:
            return redirect("application-review", application.pk)
    if answer_form.is_bound:
        if answer_form.is_valid() and run(request, svc.unit_objection_answer, form=answer_form, actor=request.user,
                                          objection_id=answer_form.cleaned_data["objection"],
                                          answer=answer_form.cleaned_data["answer"],
                                          upheld=answer_form.cleaned_data["upheld"], success=_("Answered.")):
            return redirect("application-review", application.pk)
    events = selectors.application_timeline(application=application)
    refused = decision.errors or (corrections.is_bound and not corrections.is_valid()) or answer_form.errors
    return render(request, "applications/review.html", {
        "application": application, "roles": roles, "stages": selectors.application_stages(application),
        "buttons": [(a, *ACTION_BUTTONS[a]) for a in actions if a in ACTION_BUTTONS],
        "may_return": may_return, "decision": decision, "corrections_formset": corrections,
        "answer_form": answer_form, "rounds": selectors.application_correction_rounds(application=application),
        "legacy_corrections": selectors.corrections_without_round(application=application),
        "timeline": selectors.timeline_rows(events, application=application),
        "checklist": svc.application_checklist(application),
        "is_sponsor": workflow.SPONSOR_HR in roles,
        "objections": list(application.unit_objections.all()),
    }, status=400 if refused else 200)


# --- Reviewing: lists -----------------------------------------------------------------------

def _page_links(request, page) -> dict:
    params = {k: v for k, v in request.GET.items() if k not in ("after", "before")}
    return {
        "next_url": "?" + urlencode({**params, "after": page.next_after}) if page.next_after else "",
        "prev_url": "?" + urlencode({**params, "before": page.prev_before}) if page.prev_before else "",
        "first_url": "?" + urlencode(params) if (request.GET.get("after") or request.GET.get("before")) else "",
    }


@login_required
def hr_applications(request, pk: int):
    """The enterprise's employees' applications, with filters and bulk approve."""
    organization = selectors.sponsor_organization_for_user(user=request.user, pk=pk)
    if organization is None:
        raise Http404
    if request.method == "POST":
        ids = _int_list(request.POST.getlist("ids"))
        if not ids:
            messages.error(request, _("Tick the applications to approve."))
        else:
            result = svc.application_bulk_approve(actor=request.user, application_ids=ids)
            if result["approved"]:
                messages.success(request, _("%(n)d application(s) approved; unit publicity has begun.")
                                 % {"n": len(result["approved"])})
            for refused in result["refused"]:
                messages.error(request, _("Application %(id)s: %(detail)s") % refused)
        return redirect(request.get_full_path())
    filters = ApplicationFilterForm(request.GET or None)
    d = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.hr_applications(organization=organization, status=d.get("status", ""), level=d.get("level", ""),
                                   pathway=d.get("pathway", ""), name=(d.get("name") or "").strip())
    page = selectors.keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "applications/hr_list.html", {
        "organization": organization, "filters": filters, "page": page, **_page_links(request, page),
        "counts": selectors.hr_status_counts(organization=organization),
    })


def _queue(request, *, title: str, qs, stage: str):
    page = selectors.keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "applications/queue.html", {"title": title, "page": page, "stage": stage,
                                                       **_page_links(request, page)})


@role_required(Role.ACCEPTANCE_OFFICER, Role.BUREAU_OFFICER)
def review_queue_index(request):
    if request.user.has_role(Role.ACCEPTANCE_OFFICER):
        return redirect("acceptance-queue")
    return redirect("audit-queue")


@role_required(Role.ACCEPTANCE_OFFICER, Role.BUREAU_OFFICER)
def acceptance_queue(request):
    """Applications waiting at the user's acceptance bodies (their region and series)."""
    return _queue(request, title=_("Acceptance queue"), stage="acceptance",
                  qs=selectors.acceptance_queue(user=request.user))


@role_required(Role.BUREAU_OFFICER)
def audit_queue(request):
    """Applications waiting for the qualification audit of the user's bureau (R6.1)."""
    return _queue(request, title=_("Qualification audit queue"), stage="qualification_audit",
                  qs=selectors.audit_queue(user=request.user))


# --- Opening a call ------------------------------------------------------------------------

@role_required(Role.COMMITTEE_SECRETARY, Role.BUREAU_OFFICER)
def call_open(request):
    """A committee's secretary or a bureau officer opens a call; the service
    checks the committee's scope and validity (R2.1, R2.3) and the methods (R4.1)."""
    owners = selectors.call_owners_for_user(user=request.user)
    if not owners:
        raise Http404
    form = CallOpenForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kind, _sep, owner_id = d["owner"].partition(":")
        call = run(request, svc.call_open, form=form, actor=request.user, name=d["name"], name_en=d["name_en"],
                   name_ug=d["name_ug"], series_id=d["series"].pk,
                   levels=d["levels"], year=d["year"], opens_at=d["opens_at"], closes_at=d["closes_at"],
                   methods=d["methods"], pathways=d["pathways"],
                   committee_id=int(owner_id) if kind == "committee" else None,
                   bureau_id=int(owner_id) if kind == "bureau" else None,
                   specialty_ids=[s.pk for s in d["specialties"]],
                   private_enterprise_group=d["private_enterprise_group"],
                   entrusted_by_id=d["entrusted_by"].pk if d["entrusted_by"] else None,
                   entrustment_note=d["entrustment_note"], pass_rate_ceiling=d["pass_rate_ceiling"],
                   success=_("The call is open."))
        if call:
            return redirect("application-new")
    return render(request, "applications/call_open.html", {"form": form}, status=400 if form.errors else 200)


# --- Public unit publicity (R5.5) ---------------------------------------------------------

def unit_publicity(request):
    """Applications in unit publicity, names masked, open to objections."""
    from portal.models import Region

    region = request.GET.get("region") or ""
    region_obj = Region.objects.filter(code=region).first() if region.isdigit() else None
    page = selectors.keyset_page(selectors.unit_publicity_list(region_id=region_obj.pk if region_obj else None),
                                 after=request.GET.get("after"), before=request.GET.get("before"))
    rows = [{"application": a, "name": mask_name(a.applicant.real_name)} for a in page]
    return render(request, "applications/unit_publicity.html", {
        "rows": rows, "page": page, "regions": Region.objects.order_by("code"), "region": region,
        **_page_links(request, page)})


def _objection_allowed(request) -> bool:
    """A few objections per address and hour."""
    limit, window = getattr(settings, "UNIT_OBJECTION_RATE", (5, 3600))
    return ratelimit.allow(request, "applications:objection", limit=limit, window=window)


def unit_objection(request, pk: int):
    application = selectors.unit_publicity_get(pk=pk)
    if application is None:
        raise Http404
    form = ObjectionForm(request.POST or None)
    if request.method == "POST":
        if not _objection_allowed(request):
            response = render(request, "applications/unit_objection.html", {
                "application": application, "name": mask_name(application.applicant.real_name), "form": form,
                "limited": True}, status=429)
            response["Retry-After"] = "3600"
            return response
        if form.is_valid() and run(request, svc.unit_objection_create, form=form, application_id=application.pk,
                                   reason=form.cleaned_data["reason"], contact=form.cleaned_data["contact"],
                                   success=_("Your objection was received; the unit answers it before the "
                                             "application goes on.")):
            return redirect("unit-publicity")
    return render(request, "applications/unit_objection.html", {
        "application": application, "name": mask_name(application.applicant.real_name), "form": form},
        status=400 if form.errors else 200)

