"""HTML pages of the people-and-bodies app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import selectors, services
from portal.errors import InvalidInput
from portal.forms import (
    EmploymentDeclareForm,
    EndEmploymentForm,
    EnterpriseForm,
    EnterpriseRegistrationForm,
    InvitationForm,
    RejectForm,
    SignUpForm,
)
from portal.models import Organization, Role
from portal.notifications import notification_mark_read
from portal.views_helpers import form_error, role_required, run


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["my_enterprises"] = selectors.organizations_for_hr(user=request.user)
        if request.user.has_role(Role.BUREAU_OFFICER):
            context["queue_counts"] = selectors.queue_counts_for_bureau(user=request.user)
    return render(request, "portal/home.html", context)


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = run(request, services.user_register, form=form, mobile=d["mobile"], real_name=d["real_name"],
                   id_number=d["id_number"], email=d["email"], password=d["password1"])
        if user:
            login(request, user, backend="portal.backends.MobileOrIdNumberBackend")
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.real_name})
            return redirect("home")
    return render(request, "portal/signup.html", {"form": form})


def enterprise_register(request):
    """R1.3: register an enterprise; a visitor creates the HR admin account too."""
    anonymous = not request.user.is_authenticated
    form_class = EnterpriseRegistrationForm if anonymous else EnterpriseForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        organization = _register(request, form, d, anonymous)
        if organization:
            messages.success(request, _("Registered. The HR bureau of %(region)s will review the account.")
                             % {"region": organization.region.name})
            return redirect("enterprise-console", organization.pk)
    return render(request, "portal/enterprise_register.html", {"form": form, "anonymous": anonymous})


def _register(request, form, d, anonymous):
    from django.db import transaction

    from portal.errors import PortalError

    try:
        with transaction.atomic():
            user = request.user
            if anonymous:
                user = services.user_register(mobile=d["mobile"], real_name=d["real_name"], id_number=d["id_number"],
                                              email=d["email"], password=d["password1"], role=Role.ENTERPRISE_HR)
            organization = services.enterprise_register(
                registrant=user, name=d["name"], uscc=d["uscc"], region=d["region"], ownership=d["ownership"],
                size=d["size"], address=d["address"], contact_name=d["contact_name"],
                contact_phone=d["contact_phone"], business_licence=d["business_licence"])
    except PortalError as error:
        form_error(form, error)
        return None
    if anonymous:
        login(request, user, backend="portal.backends.MobileOrIdNumberBackend")
    return organization


def _hr_organization(request, pk: int) -> Organization:
    """The enterprise if the user does its title work; 404 otherwise (no leak)."""
    organization = selectors.organizations_for_hr(user=request.user).filter(pk=pk).first()
    if organization is None:
        raise Http404
    return organization


@login_required
def my_enterprises(request):
    organizations = list(selectors.organizations_for_hr(user=request.user))
    if len(organizations) == 1:
        return redirect("enterprise-console", organizations[0].pk)
    return render(request, "portal/my_enterprises.html", {"organizations": organizations})


@login_required
def enterprise_console(request, pk: int):
    organization = _hr_organization(request, pk)
    can_manage = request.user.has_perm("portal.manage_organization", organization)
    employments = Paginator(selectors.enterprise_employments(organization=organization), 50).get_page(
        request.GET.get("page"))
    return render(request, "portal/enterprise_console.html", {
        "organization": organization,
        "can_manage": can_manage,
        "members": selectors.enterprise_members(organization=organization),
        "employments": employments,
        "invitations": selectors.enterprise_invitations(organization=organization)[:50],
        "invitation_form": InvitationForm(),
        "end_form": EndEmploymentForm(),
    })


@login_required
@require_POST
def enterprise_invite(request, pk: int):
    organization = _hr_organization(request, pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        run(request, services.invitation_create, actor=request.user, organization=organization, kind=d["kind"],
            mobile=d["mobile"], real_name=d["real_name"], position=d["position"], start_date=d["start_date"],
            success=_("Invitation sent. The person sees it after logging in with that mobile number."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("enterprise-console", organization.pk)


@login_required
@require_POST
def enterprise_action(request, pk: int, action: str, object_id: int):
    organization = _hr_organization(request, pk)
    user = request.user
    if action == "confirm":
        run(request, services.employment_confirm, actor=user, employment_id=object_id,
            success=_("Employment confirmed."))
    elif action == "reject":
        run(request, services.employment_reject, actor=user, employment_id=object_id,
            reason=request.POST.get("reason", ""), success=_("Employment not confirmed."))
    elif action == "end":
        form = EndEmploymentForm(request.POST)
        if form.is_valid():
            run(request, services.employment_end, actor=user, employment_id=object_id,
                end_date=form.cleaned_data["end_date"], success=_("End of employment recorded."))
        else:
            messages.error(request, _("Please enter a valid end date."))
    elif action == "revoke":
        run(request, services.invitation_revoke, actor=user, invitation_id=object_id,
            success=_("Invitation revoked."))
    elif action == "remove-member":
        run(request, services.membership_deactivate, actor=user, membership_id=object_id,
            success=_("Member removed."))
    else:
        raise Http404
    return redirect("enterprise-console", organization.pk)


@login_required
def enterprise_licence(request, pk: int):
    """The business licence, for the enterprise's HR and its region's bureau."""
    organization = (selectors.organizations_for_hr(user=request.user).filter(pk=pk).first()
                    or selectors.enterprise_get_for_bureau(user=request.user, pk=pk))
    if organization is None or not organization.business_licence:
        raise Http404
    response = FileResponse(organization.business_licence.open("rb"))
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.BUREAU_OFFICER)
def bureau_queue(request):
    status = request.GET.get("status", Organization.Status.PENDING)
    if status not in Organization.Status.values:
        status = Organization.Status.PENDING
    page = Paginator(selectors.enterprise_queue_for_bureau(user=request.user, status=status), 25).get_page(
        request.GET.get("page"))
    return render(request, "portal/bureau_queue.html", {
        "page": page, "status": status, "statuses": Organization.Status.choices,
        "counts": selectors.queue_counts_for_bureau(user=request.user),
    })


@role_required(Role.BUREAU_OFFICER)
def bureau_enterprise_detail(request, pk: int):
    organization = selectors.enterprise_get_for_bureau(user=request.user, pk=pk)
    if organization is None:
        raise Http404
    reject_form = RejectForm(request.POST or None) if request.POST.get("action") == "reject" else RejectForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            if run(request, services.enterprise_approve, actor=request.user, organization_id=organization.pk,
                   success=_("Approved: %(name)s is now active.") % {"name": organization.name}):
                return redirect("bureau-queue")
        elif action == "reject" and reject_form.is_valid():
            if run(request, services.enterprise_reject, actor=request.user, organization_id=organization.pk,
                   reason=reject_form.cleaned_data["reason"], form=reject_form,
                   success=_("Rejected: %(name)s has been told why.") % {"name": organization.name}):
                return redirect("bureau-queue")
        organization.refresh_from_db()
    return render(request, "portal/bureau_enterprise_detail.html", {
        "organization": organization, "reject_form": reject_form,
        "admins": selectors.organization_admins(organization=organization),
    })


@login_required
def my_invitations(request):
    if request.method == "POST":
        try:
            invitation_id = int(request.POST.get("invitation", ""))
        except ValueError:
            raise Http404
        if run(request, services.invitation_accept, user=request.user, invitation_id=invitation_id,
               success=_("Invitation accepted.")):
            return redirect("home")
    return render(request, "portal/my_invitations.html",
                  {"invitations": selectors.invitations_for_user(user=request.user)})


@login_required
def my_employment(request):
    form = EmploymentDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        employer = Organization.objects.filter(uscc=d["employer_uscc"].strip().upper(),
                                               kind=Organization.Kind.ENTERPRISE).first()
        if employer is None:
            form_error(form, InvalidInput(_("No enterprise with this code has a title-work account."),
                                          field="employer_uscc"))
        elif run(request, services.employment_declare, form=form, user=request.user, employer=employer,
                 start_date=d["start_date"], position=d["position"], dispatch_region=d["dispatch_region"],
                 dispatch_start=d["dispatch_start"],
                 success=_("Sent to %(org)s for confirmation.") % {"org": employer.name}):
            return redirect("my-employment")
    return render(request, "portal/my_employment.html",
                  {"form": form, "employments": selectors.employments_for_user(user=request.user)})


@login_required
def notifications(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("notifications")
    page = Paginator(selectors.notifications_for_user(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says."""
    from django.templatetags.static import static

    return redirect(static("portal/favicon.svg"), permanent=True)


@never_cache
def healthz(request):
    """Database and broker state, for load balancers and operators."""
    state = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - reported, not raised
        state["database"] = "error"
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        state["broker"] = "eager"
    else:
        try:
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
        except Exception:  # noqa: BLE001
            state["broker"] = "error"
    healthy = state["database"] == "ok" and state["broker"] in ("ok", "eager")
    return JsonResponse({"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503)


