"""Getting in: signing up with a confirmed mobile, resetting a password by a one-time code, ending
every session and token of an account, and the person's own settings (language, messages).

Nothing here tells a stranger whether a mobile number, an ID number or an email belongs to an
account. A signup or a reset answers the same whoever asks ("if this is yours, we have sent a
message"); the real owner is told by SMS and email when someone tries their number; codes are
limited per account, per mobile and per client address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import personal_data
from portal.audit import audit_record
from portal.delivery import delivery_queue, sms_text
from portal.errors import InvalidInput, RuleViolation
from portal.models import ApiToken, MessageDelivery, OneTimeCode, Role, Topic, User
from portal.notifications import in_language, notification_send

Channel = MessageDelivery.Channel
Purpose = OneTimeCode.Purpose


def _invalid(error: ValidationError, field: str | None = None) -> InvalidInput:
    return InvalidInput(" ".join(str(m) for m in error.messages), field=field)


# --- Ending every session and API token of an account ----------------------------------

def user_credentials_revoke(*, user: User, reason: str, actor: User | None = None) -> None:
    """End every session and API token of ``user`` at once: after a password reset or change, a lock,
    or on the person's request. Sessions end because the session hash covers ``credentials_epoch``
    (``User._get_session_auth_hash``), whatever the session backend; API tokens are deleted.
    Audited with the reason."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(credentials_epoch=F("credentials_epoch") + 1)
        user.refresh_from_db(fields=["credentials_epoch"])
        tokens, _detail = ApiToken.objects.filter(user=user).delete()
        audit_record(actor=actor or user, action="user.credentials_revoke", obj=user,
                     after={"epoch": user.credentials_epoch, "api_tokens": tokens}, reason=reason)


# --- API tokens (hashed, expiring: portal.models.ApiToken) ---------------------------------------

def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns the row and the key, which is shown to the caller once and
    never stored (only its SHA-256). The person's expired tokens are removed on the way."""
    from portal.authentication import api_token_hash

    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        api_tokens_expired_delete(user=user)
        token = ApiToken.objects.create(user=user, key_hash=api_token_hash(key), prefix=key[:6],
                                        name=name.replace("\x00", "")[:64])
        audit_record(actor=user, action="user.api_token_issue", obj=user, after={"token": token.prefix})
    return token, key


def api_tokens_expired_delete(*, user: User | None = None) -> int:
    """Delete tokens past their idle or absolute lifetime (of one person, or all)."""
    now = timezone.now()
    qs = ApiToken.objects.filter(
        Q(last_used_at__lte=now - dt.timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS))
        | Q(created_at__lte=now - dt.timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS)))
    if user is not None:
        qs = qs.filter(user=user)
    deleted, _detail = qs.delete()
    return deleted


def api_tokens_revoke(*, user: User, reason: str, token_id: int | None = None) -> int:
    """Delete the person's API tokens (one, by id, or all of them), e.g. on logout or from their
    settings page. Only ``user``'s own tokens are touched. Returns how many were deleted; audited
    when any was."""
    with transaction.atomic():
        qs = ApiToken.objects.filter(user=user)
        if token_id is not None:
            qs = qs.filter(pk=token_id)
        prefixes = list(qs.values_list("prefix", flat=True))
        deleted, _detail = qs.delete()
        if deleted:
            audit_record(actor=user, action="user.api_tokens_revoke", obj=user,
                         after={"tokens": prefixes}, reason=reason)
    return deleted


def api_tokens_for_user(*, user: User) -> list[ApiToken]:
    """The person's tokens that are still valid, newest first (for their settings page)."""
    now = timezone.now()
    return [t for t in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk") if not t.is_expired(now)]


# --- One-time codes ------------------------------------------------------------------

def _keyed(*parts: str) -> str:
    key = personal_data._hash_key(settings.LOOKUP_HASH_KEY, settings.SECRET_KEY)
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def _address_hash(address: str) -> str:
    return personal_data.lookup_hash(f"address:{address.strip().lower()}")


def _new_code(*, purpose: str, channel: str, address: str, user: User | None,
              payload: dict | None = None) -> tuple[OneTimeCode, str, str]:
    """A code row and, for the caller only, the browser's token and the 6-digit code."""
    token = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = OneTimeCode.objects.create(
        purpose=purpose, user=user, channel=channel, address_hash=_address_hash(address),
        token_hash=_keyed("token", token), code_hash=_keyed("code", token, code),
        payload_encrypted=personal_data.encrypt(json.dumps(payload)) if payload is not None else "",
        expires_at=timezone.now() + dt.timedelta(minutes=settings.ONE_TIME_CODE_MINUTES))
    return row, token, code


def _codes_sent_recently(*, purpose: str, user: User | None = None, address: str = "") -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    qs = OneTimeCode.objects.filter(purpose=purpose, created_at__gte=since)
    if user is not None:
        return qs.filter(user=user).count()
    return qs.filter(address_hash=_address_hash(address)).count()


def _code_row(*, purpose: str, token: str, lock: bool = False) -> OneTimeCode | None:
    if not token or len(token) > 64:
        return None
    qs = OneTimeCode.objects.filter(purpose=purpose, token_hash=_keyed("token", token))
    return (qs.select_for_update() if lock else qs).first()


def _wrong_code() -> InvalidInput:
    return InvalidInput(_("The code is wrong or no longer valid. Check the last message we sent, or ask for a "
                          "new code."), field="code")


def _check_code(*, purpose: str, token: str, code: str) -> OneTimeCode:
    """Verify outside any caller's transaction, so a wrong try is counted even when the caller's work
    rolls back. Returns the row (not yet used)."""
    code = personal_data.fold_typed(code)
    row = _code_row(purpose=purpose, token=token)
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        raise _wrong_code()
    if row.attempts >= settings.ONE_TIME_CODE_TRIES:
        raise RuleViolation(_("Too many wrong codes. Ask for a new code."), field="code")
    if not (code.isdigit() and len(code) == 6 and hmac.compare_digest(row.code_hash, _keyed("code", token, code))):
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise _wrong_code()
    return row


def _use(row: OneTimeCode) -> bool:
    """Mark the code used; False if another request used it first."""
    return bool(OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()))


def _send_code(*, row: OneTimeCode, code: str, address: str, user: User | None, text,
               language: str | None = None) -> None:
    """The code by SMS or email, in the recipient's language (``language`` for someone without an
    account yet: the one they read the site in), queued once (``code:<id>``)."""
    with translation.override(language) if user is None and language else in_language(user):
        minutes = settings.ONE_TIME_CODE_MINUTES
        message = text(code, minutes)
        if row.channel == Channel.SMS:
            delivery_queue(channel=Channel.SMS, topic=Topic.CODE, address=address, body=sms_text(message),
                           recipient=user, key=f"code:{row.pk}")
        else:
            subject = _("Your code: %(code)s") % {"code": code}
            delivery_queue(channel=Channel.EMAIL, topic=Topic.CODE, address=address, subject=subject,
                           body=message + "\n\n—\n" + _("Xinjiang Professional Title Portal"),
                           recipient=user, key=f"code:{row.pk}")


# --- Password reset by a one-time code --------------------------------------------

def _has_control_characters(value: str) -> bool:
    """NUL and other control characters: never part of a login or a name (and PostgreSQL refuses NUL)."""
    import unicodedata

    return any(unicodedata.category(c) == "Cc" for c in value)


def _user_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if _has_control_characters(login):
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).order_by("pk").first()
    return User.objects.get_by_login(login)


def password_reset_request(*, login: str, channel: str = Channel.SMS) -> str:
    """Send a 6-digit code to the registered mobile (SMS) or email of the account that ``login``
    (mobile, ID number or email) names. Returns the token the browser keeps for the next step.

    The answer is the same whether or not an account matches: when none does, when it has no
    address for the channel, or when the account already had ``CODES_PER_ACCOUNT_PER_HOUR`` codes
    this hour, a token is returned all the same and no code can match it. The client address
    limit is the caller's (``portal.ratelimit``), as it needs the request."""
    if channel not in Channel.values:
        raise InvalidInput(_("Choose SMS or email."), field="channel")
    if not (login or "").strip():
        raise InvalidInput(_("Enter your mobile number, ID number or email."), field="login")
    user = _user_by_login(login)
    address = ""
    if user is not None and user.is_active:
        address = user.mobile if channel == Channel.SMS else user.email
    limited = user is not None and _codes_sent_recently(
        purpose=Purpose.PASSWORD_RESET, user=user) >= settings.CODES_PER_ACCOUNT_PER_HOUR
    with transaction.atomic():
        if user is None or not user.is_active or not address or limited:
            # A decoy: the same answer and the same next page, and no code that could match.
            _row, token, _code = _new_code(purpose=Purpose.PASSWORD_RESET, channel=channel,
                                           address=secrets.token_hex(8), user=None)
            _row.code_hash = _keyed("decoy", secrets.token_hex(16))
            _row.save(update_fields=["code_hash"])
            return token
        row, token, code = _new_code(purpose=Purpose.PASSWORD_RESET, channel=channel, address=address, user=user)
        audit_record(actor=None, action="user.password_reset_request", obj=user,
                     after={"channel": channel, "code": row.pk})
        _send_code(row=row, code=code, address=address, user=user, text=lambda code, minutes: _(
            "Your code to reset the password of the title portal is %(code)s. It is valid for %(minutes)d minutes. "
            "If you did not ask for it, ignore this message; your password stays as it is.")
            % {"code": code, "minutes": minutes})
    return token


def password_reset_confirm(*, token: str, code: str, new_password: str) -> User:
    """Set a new password with the code. A wrong code counts one of ``ONE_TIME_CODE_TRIES`` tries.
    The reset ends every session and API token of the account and unlocks it (the person proved
    they hold its mobile or email); the person is told by every channel."""
    row = _check_code(purpose=Purpose.PASSWORD_RESET, token=token, code=code)
    user = row.user
    if user is None or not user.is_active:
        raise _wrong_code()
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise _invalid(error, "new_password1")
    with transaction.atomic():
        if not _use(row):
            raise _wrong_code()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="user.password_reset", obj=user, after={"channel": row.channel})
        user_credentials_revoke(user=user, reason="password reset by one-time code")
        notification_send(
            recipients=[user], topic=Topic.SECURITY, url=reverse("login"),
            subject=lambda: _("Your password was changed"),
            body=lambda: _("The password of your title portal account was reset with a code sent to your %(channel)s "
                           "on %(when)s. Every session and API token of the account has been ended. If this was not "
                           "you, reset the password again at once and tell your HR bureau.")
            % {"channel": MessageDelivery.Channel(row.channel).label,
               "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    from axes.utils import reset as axes_reset

    axes_reset(username=f"user:{user.pk}")  # the lock-out of failed logins (portal.security.axes_username)
    return user


# --- Signing up with a confirmed mobile ----------------------------------------------

def signup_check(*, mobile: str, real_name: str, id_number: str, password: str, email: str = "") -> dict:
    """Every format error of a signup at once (``InvalidInput`` with ``errors``: field → message);
    never whether the mobile or ID number is registered. Returns the normalised values."""
    errors: dict[str, str] = {}
    values = {"real_name": (real_name or "").strip(), "email": (email or "").strip()}
    try:
        values["mobile"] = personal_data.normalize_mobile(mobile)
    except ValidationError as error:
        errors["mobile"] = " ".join(error.messages)
    try:
        values["id_number"] = personal_data.normalize_id_number(id_number)
    except ValidationError as error:
        errors["id_number"] = " ".join(error.messages)
    if not values["real_name"]:
        errors["real_name"] = _("Please enter your real name.")
    elif _has_control_characters(values["real_name"]) or len(values["real_name"]) > 64:
        errors["real_name"] = _("Enter your name as on your ID card (at most 64 characters).")
    try:
        validate_password(password, user=User(mobile=values.get("mobile", ""), real_name=values["real_name"],
                                              email=values["email"]))
    except ValidationError as error:
        errors["password"] = " ".join(error.messages)
    if errors:
        raise InvalidInput(next(iter(errors.values())), field=next(iter(errors)), errors=errors)
    return values


def signup_request(*, mobile: str, real_name: str, id_number: str, password: str, email: str = "",
                   enterprise: dict | None = None) -> str:
    """Start a signup: check the input, keep it (encrypted, the password hashed) and send a 6-digit
    code to the mobile. Returns the token the browser keeps for ``signup_confirm``.

    When the mobile or the ID number already has an account, no account can be made and no code
    is sent that could confirm one; the answer is the same all the same, and the owners are told:
    the mobile's owner by SMS ("you already have an account"), the ID number's owner by every
    channel, and the mobile that was typed learns only that no account could be opened with it.
    ``enterprise`` carries an enterprise registration made with the account (the HR administrator's
    signup): its fields and the token of its pending licence upload."""
    values = signup_check(mobile=mobile, real_name=real_name, id_number=id_number, password=password, email=email)
    # The language the visitor reads the site in: the code and any refusal reach them in it.
    payload = {**values, "password_hash": make_password(password), "enterprise": enterprise,
               "language": translation.get_language() or settings.LANGUAGE_CODE}
    return _signup_dispatch(payload)


def _signup_dispatch(payload: dict) -> str:
    mobile, number = payload["mobile"], payload["id_number"]
    visitor = payload.get("language") or settings.LANGUAGE_CODE
    with transaction.atomic():
        row, token, code = _new_code(purpose=Purpose.SIGNUP, channel=Channel.SMS, address=mobile, user=None,
                                     payload=payload)
        if _codes_sent_recently(purpose=Purpose.SIGNUP, address=mobile) > settings.CODES_PER_ACCOUNT_PER_HOUR:
            row.code_hash = _keyed("decoy", secrets.token_hex(16))  # nothing more to this number this hour
            row.save(update_fields=["code_hash"])
            return token
        mobile_owner = User.objects.filter(mobile=mobile).first()
        id_owner = User.objects.filter(id_number_hash=personal_data.lookup_hash(number)).first()
        if mobile_owner is None and id_owner is None:
            _send_code(row=row, code=code, address=mobile, user=None, language=visitor, text=lambda code, minutes: _(
                "Your code to open an account on the title portal is %(code)s. It is valid for %(minutes)d minutes. "
                "If you did not ask for it, ignore this message.") % {"code": code, "minutes": minutes})
            return token
        row.code_hash = _keyed("decoy", secrets.token_hex(16))  # no account can be confirmed with this
        row.save(update_fields=["code_hash"])
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        login_url = reverse("login")
        if mobile_owner is not None:
            notification_send(
                recipients=[mobile_owner], topic=Topic.SECURITY, url=reverse("password-reset"),
                subject=lambda: _("Someone tried to open a new account with your mobile number"),
                body=lambda: _("On %(when)s someone asked to open a title portal account with your mobile number. You "
                               "already have an account: log in with your mobile or ID number, or reset your password "
                               "if you forgot it. If it was not you, you need to do nothing.") % {"when": when})
        if id_owner is not None and id_owner != mobile_owner:
            notification_send(
                recipients=[id_owner], topic=Topic.SECURITY, url=reverse("password-reset"),
                subject=lambda: _("Someone tried to open a new account with your ID number"),
                body=lambda: _("On %(when)s someone asked to open a title portal account with your ID number and the "
                               "mobile number %(mobile)s. You already have an account; no second one was opened. If "
                               "it was you, log in or reset your password; if not, tell your HR bureau.")
                % {"when": when, "mobile": personal_data.mask_mobile(mobile)})
        if mobile_owner is None:
            # The mobile that was typed is not an account's: it learns only that no account was opened.
            with translation.override(visitor):
                text = sms_text(_("No account was opened. If you already have one, log in with your ID number or "
                                  "reset your password."), url=login_url)
            delivery_queue(channel=Channel.SMS, topic=Topic.SECURITY, address=mobile, body=text,
                           key=f"signup-refused:{row.pk}")
    return token


def signup_resend(*, token: str) -> str:
    """A new code for a signup not yet confirmed (the first may not have arrived): the same answer
    as the first request, under the same limits. Returns the new token."""
    row = _code_row(purpose=Purpose.SIGNUP, token=token)
    if row is None or row.used_at is not None or not row.payload_encrypted or \
            row.created_at < timezone.now() - dt.timedelta(hours=1):
        raise InvalidInput(_("This sign-up has expired; please fill in the form again."), field="code")
    payload = json.loads(personal_data.decrypt(row.payload_encrypted) or "null")
    if not payload:
        raise InvalidInput(_("This sign-up has expired; please fill in the form again."), field="code")
    OneTimeCode.objects.filter(pk=row.pk).update(used_at=timezone.now())
    return _signup_dispatch(payload)


def signup_pending(*, token: str) -> dict | None:
    """What the confirmation page may show of a signup in progress: the masked mobile, and whether
    it registers an enterprise. ``None`` when the token is unknown or used."""
    row = _code_row(purpose=Purpose.SIGNUP, token=token)
    if row is None or row.used_at is not None:
        return None
    payload = json.loads(personal_data.decrypt(row.payload_encrypted) or "null") or {}
    return {"mobile_masked": personal_data.mask_mobile(payload.get("mobile", "")),
            "enterprise": bool(payload.get("enterprise")), "expires_at": row.expires_at}


def signup_confirm(*, token: str, code: str, register_enterprise=None) -> tuple[User, object]:
    """Open the account with the code sent to its mobile. ``register_enterprise(user, data)`` is
    called in the same transaction when the signup carries an enterprise registration (the view
    passes the function that opens its pending licence). Returns the user and what it returned."""
    from portal.services import user_register_confirmed

    row = _check_code(purpose=Purpose.SIGNUP, token=token, code=code)
    payload = json.loads(personal_data.decrypt(row.payload_encrypted) or "null")
    if not payload:
        raise _wrong_code()
    enterprise = payload.get("enterprise")
    with transaction.atomic():
        if not _use(row):
            raise _wrong_code()
        user = user_register_confirmed(
            mobile=payload["mobile"], real_name=payload["real_name"], id_number=payload["id_number"],
            email=payload.get("email", ""), password_hash=payload["password_hash"],
            role=Role.ENTERPRISE_HR if enterprise else Role.APPLICANT)
        extra = register_enterprise(user, enterprise) if enterprise and register_enterprise else None
    return user, extra


# --- The person's own settings -------------------------------------------------------

#: Topics a person may turn off, per channel (codes and security notices always go).
OPTIONAL_TOPICS = {
    "sms": (Topic.INVITATION, Topic.REMINDER, Topic.CORRECTION, Topic.RESULT, Topic.RECEIPT),
    "email": (Topic.INVITATION, Topic.REMINDER, Topic.CORRECTION, Topic.RESULT, Topic.RECEIPT, Topic.WORK),
}


def user_language_set(*, user: User, language: str) -> User:
    """The language of pages after login and of every message to the person; "" = the site's
    default. Only a language the site offers (``settings.LANGUAGES``)."""
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput(_("Choose one of the languages offered."), field="language")
    if user.language != language:
        before = user.language
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        audit_record(actor=user, action="user.language", obj=user, before={"language": before},
                     after={"language": language})
    return user


def _clean_name_ug(value: str) -> str:
    """A name in Uyghur script: Arabic-script letters and marks, spaces, · and -; at most 64."""
    import unicodedata

    value = " ".join(unicodedata.normalize("NFC", value or "").split())
    if len(value) > 64 or any(
            not (c in " ·-" or ("\u0600" <= c <= "\u06ff" and unicodedata.category(c)[0] in "LM")) for c in value):
        raise InvalidInput(_("Write the name in Uyghur script (Arabic letters), at most 64 characters."),
                           field="name_ug")
    return value


def user_preferences_update(*, user: User, language: str, email: str, muted: list[str],
                            name_ug: str | None = None) -> User:
    """The settings page: language, email for notifications, the messages turned off
    (``"<channel>:<topic>"`` among ``OPTIONAL_TOPICS``) and, when given, the name in Uyghur script
    (shown beside the Chinese name on Uyghur pages)."""
    if name_ug is not None:
        name_ug = _clean_name_ug(name_ug)
    allowed = {f"{channel}:{topic}" for channel, topics in OPTIONAL_TOPICS.items() for topic in topics}
    unknown = set(muted) - allowed
    if unknown:
        raise InvalidInput(_("Codes and account-security messages cannot be turned off."), field="muted")
    try:
        email = personal_data.normalize_email(email)
    except ValidationError as e:
        raise _invalid(e, "email")
    with transaction.atomic():
        user_language_set(user=user, language=language)
        before = {"email": personal_data.mask_email(user.email), "muted": sorted(user.muted or [])}
        user.email, user.muted = email, sorted(set(muted))
        fields = ["email", "muted"]
        if name_ug is not None:
            before["name_ug"] = user.name_ug
            user.name_ug = name_ug
            fields.append("name_ug")
        user.save(update_fields=fields)
        after = {"email": personal_data.mask_email(user.email), "muted": user.muted}
        if name_ug is not None:
            after["name_ug"] = user.name_ug
        if after != before:
            audit_record(actor=user, action="user.preferences", obj=user, before=before, after=after)
    return user
