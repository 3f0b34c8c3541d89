"""HTML pages of the people-and-bodies app."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import account_services, ratelimit, selectors, services
from portal.errors import InvalidInput
from portal.forms import (
    EmploymentDeclareForm,
    EndEmploymentForm,
    EnterpriseForm,
    EnterpriseRegistrationForm,
    InvitationForm,
    PasswordResetCodeForm,
    PasswordResetRequestForm,
    RejectForm,
    SignUpCodeForm,
    SignUpForm,
)
from portal.models import MessageDelivery, Organization, Region, Role, Topic
from portal.notifications import notification_mark_read
from portal.pending_uploads import (
    pending_upload_discard,
    pending_upload_get,
    pending_upload_keep,
    pending_upload_open,
)
from portal.redis_pool import redis_client
from portal.views_helpers import form_error, role_required, run


def rules_page(request):
    """The rules the portal enforces, in words (public): what every rule number on a page links to."""
    from portal.rules import rules_by_group

    return render(request, "portal/rules.html", {"groups": rules_by_group()})


def home(request):
    context = {}
    if request.user.is_authenticated:
        user = request.user
        context["my_enterprises"] = selectors.organizations_for_hr(user=user)
        context["invitations"] = list(selectors.invitations_for_user(user=user)[:10])
        if user.has_role(Role.BUREAU_OFFICER):
            context["queue_counts"] = selectors.queue_counts_for_bureau(user=user)
        roles = user.role_names()
        if not roles or roles == {Role.APPLICANT}:
            employments = list(selectors.employments_for_user(user=user))
            context["employments"] = employments
            # The next step after signup: link the employer (by name or credit code).
            context["needs_employer"] = not any(e.status in ("pending", "confirmed") for e in employments)
    return render(request, "portal/home.html", context)


def _client_may_ask(request, scope: str) -> bool:
    """The per-address limit of the public forms that send messages (as the API's ``public_form``)."""
    from django.conf import settings

    return ratelimit.allow(request, scope, limit=settings.CODE_REQUESTS_PER_ADDRESS_PER_HOUR, window=3600)


def _too_many(request, form):
    form.add_error(None, _("Too many requests from your network. Please wait an hour and try again."))


def signup(request):
    """Step 1 of 2: the details, every error at once next to its field. Valid details are kept and a
    code goes to the mobile; nothing here says whether the mobile or ID number is registered."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _client_may_ask(request, "signup"):
            _too_many(request, form)
        else:
            d = form.cleaned_data
            token = run(request, account_services.signup_request, form=form, mobile=d["mobile"],
                        real_name=d["real_name"], id_number=d["id_number"], email=d["email"],
                        password=d["password1"])
            if token:
                request.session[SIGNUP_SESSION_KEY] = token
                return redirect("signup-confirm")
    return render(request, "portal/signup.html", {"form": form})


SIGNUP_SESSION_KEY = "signup_token"
RESET_SESSION_KEY = "password_reset_token"


def signup_confirm(request):
    """Step 2 of 2: the code from the SMS opens the account (and registers the enterprise, when the
    signup came from the enterprise registration), then logs the person in."""
    if request.user.is_authenticated:
        return redirect("home")
    token = request.session.get(SIGNUP_SESSION_KEY, "")
    pending = account_services.signup_pending(token=token)
    if pending is None:
        messages.info(request, _("Please fill in the sign-up form first."))
        return redirect("signup")
    form = SignUpCodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        if not _client_may_ask(request, "signup"):
            messages.error(request, _("Too many requests from your network. Please wait an hour and try again."))
        else:
            new = run(request, account_services.signup_resend, token=token)
            if new:
                request.session[SIGNUP_SESSION_KEY] = new
                messages.info(request, _("If this mobile number is yours, a new code is on its way."))
        return redirect("signup-confirm")
    if request.method == "POST" and form.is_valid():
        result = run(request, account_services.signup_confirm, form=form, token=token,
                     code=form.cleaned_data["code"],
                     register_enterprise=lambda user, data: _register_enterprise(request, user, data))
        if result:
            user, organization = result
            request.session.pop(SIGNUP_SESSION_KEY, None)
            login(request, user, backend="portal.backends.MobileOrIdNumberBackend")
            if organization is not None:
                messages.success(request, _("Registered. The HR bureau of %(region)s will review the account.")
                                 % {"region": organization.region.name})
                return redirect("enterprise-console", organization.pk)
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.real_name})
            return redirect("home")
    return render(request, "portal/signup_confirm.html", {"form": form, "pending": pending})


def _register_enterprise(request, user, data: dict):
    """The enterprise part of a confirmed signup, with the licence kept from the form."""
    row = pending_upload_get(request=request, purpose=LICENCE, token=data.get("licence_token", ""))
    if row is None:
        raise InvalidInput(_("The business licence you uploaded was kept for a day only; please register again."),
                           field="code")
    region = Region.objects.filter(pk=data.get("region")).first()
    if region is None:
        raise InvalidInput(_("Please choose the region."), field="code")
    organization = services.enterprise_register(
        registrant=user, name=data["name"], uscc=data["uscc"], region=region, ownership=data["ownership"],
        size=data["size"], address=data.get("address", ""), contact_name=data["contact_name"],
        contact_phone=data["contact_phone"], business_licence=pending_upload_open(row))
    pending_upload_discard(row)
    return organization


LICENCE = "business_licence"


def enterprise_register(request):
    """R1.3: register an enterprise; a visitor creates the HR admin account too (confirmed by a code
    sent to the mobile). Every error shows at once; a licence that passed its checks is kept."""
    anonymous = not request.user.is_authenticated
    form_class = EnterpriseRegistrationForm if anonymous else EnterpriseForm
    form = form_class(request.POST or None, request.FILES or None,
                      pending_lookup=lambda token: pending_upload_get(request=request, purpose=LICENCE, token=token))
    if request.method == "POST":
        valid = form.is_valid()
        upload = form.cleaned_data.get("business_licence") if hasattr(form, "cleaned_data") else None
        if upload and LICENCE not in form.errors:
            token, row = pending_upload_keep(request=request, purpose=LICENCE, upload=upload)
            form.keep_token(token, row)
        if valid:
            d = form.cleaned_data
            token = form.data.get("business_licence_token", "")
            if anonymous:
                if not _client_may_ask(request, "signup"):
                    _too_many(request, form)
                else:
                    enterprise = {"name": d["name"].strip(), "uscc": d["uscc"], "region": d["region"].pk,
                                  "ownership": d["ownership"], "size": d["size"], "address": d["address"],
                                  "contact_name": d["contact_name"], "contact_phone": d["contact_phone"],
                                  "licence_token": token}
                    signup_token = run(request, account_services.signup_request, form=form, mobile=d["mobile"],
                                       real_name=d["real_name"], id_number=d["id_number"], email=d["email"],
                                       password=d["password1"], enterprise=enterprise)
                    if signup_token:
                        request.session[SIGNUP_SESSION_KEY] = signup_token
                        return redirect("signup-confirm")
            else:
                organization = run(request, _register_enterprise, request, request.user,
                                   {**{k: d[k] for k in ("name", "uscc", "ownership", "size", "address",
                                                          "contact_name", "contact_phone")},
                                    "region": d["region"].pk, "licence_token": token}, form=form)
                if organization:
                    messages.success(request, _("Registered. The HR bureau of %(region)s will review the account.")
                                     % {"region": organization.region.name})
                    return redirect("enterprise-console", organization.pk)
    return render(request, "portal/enterprise_register.html", {"form": form, "anonymous": anonymous})


def password_reset(request):
    """Forgot the password: a code to the registered mobile or email. The answer is the same whether
    or not an account matches."""
    if request.user.is_authenticated:
        return redirect("password_change")
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _client_may_ask(request, "password-reset"):
            _too_many(request, form)
        else:
            token = run(request, account_services.password_reset_request, form=form,
                        login=form.cleaned_data["login"], channel=form.cleaned_data["channel"])
            if token:
                request.session[RESET_SESSION_KEY] = token
                request.session["password_reset_channel"] = form.cleaned_data["channel"]
                return redirect("password-reset-code")
    return render(request, "registration/password_reset_request.html", {"form": form})


def password_reset_code(request):
    """The code and the new password. A reset ends every session and API token of the account."""
    token = request.session.get(RESET_SESSION_KEY, "")
    if not token:
        return redirect("password-reset")
    form = PasswordResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run(request, account_services.password_reset_confirm, form=form, token=token,
                   code=form.cleaned_data["code"], new_password=form.cleaned_data["new_password1"])
        if user:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Your password is changed. Log in with your mobile number or ID number and "
                                        "the new password."))
            return redirect("login")
    return render(request, "registration/password_reset_code.html",
                  {"form": form, "channel": request.session.get("password_reset_channel", "sms")})


@login_required
def my_settings(request):
    """The person's own settings: language, email, and which messages they receive by SMS and email
    (codes and account-security notices always go)."""
    from django.conf import settings as django_settings

    user = request.user
    topics = account_services.OPTIONAL_TOPICS
    rows = [{"topic": topic, "label": Topic(topic).label,
             "channels": [{"channel": channel, "name": f"{channel}:{topic}",
                           "label": MessageDelivery.Channel(channel).label,
                           "offered": topic in topics[channel],
                           "on": topic in topics[channel] and user.wants(channel, topic)}
                          for channel in ("sms", "email")]}
            for topic in topics["email"]]
    if request.method == "POST":
        muted = [f"{channel}:{topic}" for channel, channel_topics in topics.items() for topic in channel_topics
                 if request.POST.get(f"{channel}:{topic}") != "on"]
        if run(request, account_services.user_preferences_update, user=user,
               language=request.POST.get("language", ""), email=request.POST.get("email", ""), muted=muted,
               name_ug=request.POST.get("name_ug"), success=_("Your settings are saved.")):
            response = redirect("my-settings")
            _remember_language(response, user.language)
            return response
        return redirect("my-settings")
    return render(request, "portal/my_settings.html", {
        "rows": rows, "languages": django_settings.LANGUAGES, "always": [Topic.CODE.label, Topic.SECURITY.label],
        "api_tokens": account_services.api_tokens_for_user(user=user),
        "token_idle_minutes": django_settings.API_TOKEN_IDLE_SECONDS // 60,
        "token_max_hours": django_settings.API_TOKEN_MAX_AGE_SECONDS // 3600})


@login_required
@require_POST
def my_api_tokens_revoke(request):
    """Revoke one of the person's own API tokens (``token`` = its id), or all of them (no id). Another
    person's token id revokes nothing."""
    raw = request.POST.get("token", "")
    if raw and not raw.isdigit():
        messages.error(request, _("No such token."))
        return redirect("my-settings")
    deleted = account_services.api_tokens_revoke(user=request.user, token_id=int(raw) if raw else None,
                                                 reason="revoked by the person")
    if deleted:
        messages.success(request, _("API tokens revoked: %(n)d.") % {"n": deleted})
    else:
        messages.error(request, _("No such token."))
    return redirect("my-settings")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends every other session and every API token of the
    account (``user_credentials_revoke``); this browser stays logged in."""

    def form_valid(self, form):
        with transaction.atomic():
            account_services.user_credentials_revoke(user=form.user, reason="password change")
            return super().form_valid(form)


def _remember_language(response, language: str) -> None:
    from django.conf import settings as django_settings

    if language:
        response.set_cookie(django_settings.LANGUAGE_COOKIE_NAME, language,
                            max_age=django_settings.LANGUAGE_COOKIE_AGE, path=django_settings.LANGUAGE_COOKIE_PATH,
                            domain=django_settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=django_settings.LANGUAGE_COOKIE_SECURE,
                            httponly=django_settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=django_settings.LANGUAGE_COOKIE_SAMESITE)


@require_POST
def set_language(request):
    """Django's language switcher, which also saves the choice as the logged-in person's language
    (pages after their next login, notifications, emails and SMS use it)."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        account_services.user_language_set(user=request.user, language=language)
    return response


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
            email=d["email"], id_number=d["id_number"],
            success=_("Invitation sent by SMS%(email)s. The person answers on their home page after logging in; "
                      "you are told when they accept or decline.")
            % {"email": _(" and email") if d["email"] else ""})
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
    try:
        handle = organization.business_licence.open("rb")
    except FileNotFoundError:  # gone from the disk or the bucket: nothing to show, not a server error
        raise Http404
    # Stored under a random key; the copy someone saves is named after the enterprise.
    extension = Path(organization.business_licence.name).suffix.lower()
    response = FileResponse(handle, filename=f"{_('business licence')}-{organization.name}{extension}")
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
    """Invitations to the person's mobile (or ID number): accept or decline; HR is told either way."""
    if request.method == "POST":
        try:
            invitation_id = int(request.POST.get("invitation", ""))
        except ValueError:
            raise Http404
        if request.POST.get("action") == "decline":
            run(request, services.invitation_decline, user=request.user, invitation_id=invitation_id,
                success=_("Invitation declined. The enterprise has been told."))
            return redirect(request.POST.get("next") == "home" and "home" or "my-invitations")
        if run(request, services.invitation_accept, user=request.user, invitation_id=invitation_id,
               success=_("Invitation accepted. The enterprise has been told.")):
            return redirect("home")
        return redirect("my-invitations")
    return render(request, "portal/my_invitations.html",
                  {"invitations": selectors.invitations_for_user(user=request.user)})


@login_required
def my_employment(request):
    """Name the employer: found by its name or its credit code; the enterprise confirms (R1.1)."""
    query = request.GET.get("q", "").strip()[:64]
    results = selectors.enterprise_search(query=query) if query else []
    chosen = None
    initial = {}
    if request.GET.get("employer", "").isdigit():
        chosen = selectors.active_enterprises().filter(pk=int(request.GET["employer"])).first()
        if chosen is not None:
            initial = {"employer": chosen.pk}
    form = EmploymentDeclareForm(request.POST or None, initial=initial)
    if chosen is not None:
        from django import forms as django_forms

        form.fields["employer_uscc"].widget = django_forms.HiddenInput()  # chosen by name: no code to type
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        employer = None
        if d.get("employer"):
            employer = selectors.active_enterprises().filter(pk=d["employer"]).first()
        elif d.get("employer_uscc"):
            from portal.personal_data import fold_typed

            employer = Organization.objects.filter(uscc=fold_typed(d["employer_uscc"]),
                                                   kind=Organization.Kind.ENTERPRISE).first()
        if employer is None:
            form_error(form, InvalidInput(_("Find your employer by its name or credit code, then choose it. Only "
                                            "enterprises with a title-work account are listed."),
                                          field="employer_uscc"))
        else:
            chosen = employer
            if run(request, services.employment_declare, form=form, user=request.user, employer=employer,
                   start_date=d["start_date"], position=d["position"], dispatch_region=d["dispatch_region"],
                   dispatch_start=d["dispatch_start"],
                   success=_("Sent to %(org)s for confirmation.") % {"org": employer.name}):
                return redirect("my-employment")
    return render(request, "portal/my_employment.html", {
        "form": form, "employments": selectors.employments_for_user(user=request.user),
        "query": query, "results": results, "chosen": chosen})


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


def broker_client(url: str):
    """The pooled client of the broker: /healthz reuses a pooled connection (issue 15)."""
    return redis_client(url)


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
            broker_client(settings.CELERY_BROKER_URL).ping()
        except Exception:  # noqa: BLE001
            state["broker"] = "error"
    healthy = state["database"] == "ok" and state["broker"] in ("ok", "eager")
    return JsonResponse({"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503)




def bad_request(request, exception=None):
    """``handler400``: what Django refuses before or outside a view (a query string or body of more
    than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, a body too large, a malformed multipart body, a
    Host not served, any other ``SuspiciousOperation`` or ``BadRequest``), wherever it is raised: a
    middleware reading ``request.GET`` first, the CSRF check reading ``request.POST``, or a view.
    An ``/api/`` path answers the API's own error (``InvalidInput``, JSON, as ``portal.api``'s
    handler does); a page answers the HTML 400. Both in the caller's language, also when the
    refusal came before the language middleware. What a person can type is logged in one line,
    without a traceback (Django would log one at ERROR)."""
    import logging

    from django.core.exceptions import SuspiciousOperation
    from django.utils import translation

    from portal.errors import request_refusal

    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request, check_path=False)
    refusal = request_refusal(exception) if exception is not None else InvalidInput(
        _("The request could not be understood. Check what you typed and try again."))
    with translation.override(language):
        if request.path_info.startswith("/api/"):
            response = JsonResponse(refusal.as_dict(), status=400)
        else:
            response = render(request, "400.html", {"message": str(refusal.message)}, status=400)
    if exception is not None:
        name = type(exception).__name__
        if isinstance(exception, SuspiciousOperation):
            logging.getLogger(f"django.security.{name}").error("%s: %s", name, request.path)
        else:
            logging.getLogger("django.request").warning("Bad request (%s): %s", name, request.path)
        # Django's ``log_response`` would log the same refusal again, with the traceback.
        response._has_been_logged = True
    return response
