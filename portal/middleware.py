"""Request context that services read without being passed a request:
the client address for the audit trail."""

from __future__ import annotations

import contextvars
import functools

from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.functional import SimpleLazyObject, empty

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


@functools.lru_cache(maxsize=256)
def _address(text: str) -> str | None:
    """The address in ``text``, normalized; None if it is none. Kept per text: the peer's address
    is parsed on every request, and the same few recur (issue 15)."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _trusted(address: str | None, networks) -> bool:
    import ipaddress

    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in networks)


def client_address(meta: dict, *, num_proxies: int, trusted_proxies) -> str | None:
    """The client's address: the peer's, unless the peer is one of our own
    proxies, and then the hop that proxy saw in ``X-Forwarded-For``.

    ``trusted_proxies`` (networks): the peer and every hop at the right end
    of the header inside them are ours; the first hop from the right outside
    them is the client. Else ``num_proxies`` (N): that many proxies stand in
    front of us, each appending one hop, so the N-th hop from the right is
    the client. Neither set: the header is anybody's to write and is
    ignored (issue 14.8: a new ``X-Forwarded-For`` no longer escapes the
    rate limit)."""
    peer = _address(meta.get("REMOTE_ADDR") or "")
    header = meta.get("HTTP_X_FORWARDED_FOR") or ""
    if not header or not (trusted_proxies or num_proxies):
        return peer
    hops = [h for h in header.split(",") if h.strip()]
    if trusted_proxies:
        if not _trusted(peer, trusted_proxies):
            return peer
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return peer
            if not _trusted(address, trusted_proxies):
                return address
        return _address(hops[0]) if hops else peer
    if len(hops) < num_proxies:
        return _address(hops[0]) if hops else peer
    return _address(hops[-num_proxies]) or peer


class ClientAddressMiddleware:
    """Sets ``REMOTE_ADDR`` to the client's address (``client_address``) for
    everything after it: throttles, rate limits and audit events all read
    ``REMOTE_ADDR``. The peer's own address stays in ``PEER_ADDR``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        meta = request.META
        meta["PEER_ADDR"] = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = client_address(
            meta, num_proxies=int(getattr(settings, "NUM_PROXIES", 0) or 0),
            trusted_proxies=_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))) or ""
        return self.get_response(request)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    import ipaddress

    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in entries if n.strip())


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


class UserLanguageMiddleware:
    """After login, pages are in the person's own language (``User.language``), whatever the browser
    asks for; the choice is kept in the language cookie too, so it stays after logging out. Placed
    after ``AuthenticationMiddleware``; a person without a language keeps LocaleMiddleware's choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            if user.language in {code for code, _name in settings.LANGUAGES}:
                language = user.language
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language \
                and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                                secure=settings.LANGUAGE_COOKIE_SECURE,
                                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response


NUL = "\x00"


def _nul_at(value, where: str = "") -> str | None:
    """Where a parsed value (text, list, dict, QueryDict) holds a NUL character: the name of the
    top-level field ("" when not in a named field), or None when it holds none."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif hasattr(value, "lists"):  # QueryDict / MultiValueDict
        items = value.lists()
    elif isinstance(value, (list, tuple)):
        items = ((None, v) for v in value)
    else:
        return None
    for key, item in items:
        if key is not None and NUL in str(key):
            return where
        found = _nul_at(item, where or (str(key) if key is not None else ""))
        if found is not None:
            return found
    return None


class NulCharacterRefusalMiddleware:
    """Refuse, before any view runs, a request whose text holds a NUL character: the query string, a
    form (urlencoded or multipart, its text fields) or a JSON body. A form body Django cannot read
    (malformed multipart, too many fields) is refused as Django refuses it, with the 400 of
    ``handler400``, not passed on as an empty form. PostgreSQL cannot store or
    compare NUL in text, so it would otherwise reach the database as a 500; no person types one.
    The answer is a 400 in the person's language (JSON under ``/api/``) and nothing is changed.
    Placed after the language middlewares so the message is translated. Django's and DRF's
    ``CharField`` refuse NUL too; this covers what views read directly (filters, search boxes). A path
    is left to the URL patterns: a NUL matches none of their converters that reach the database, and
    a page such as ``/verify/<code>/`` answers it with its own 404."""

    JSON_TYPES = ("application/json", "+json")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._nul_at(request)
        if field is not None:
            return self._refuse(request, field)
        return self.get_response(request)

    def _nul_at(self, request) -> str | None:
        if request.method in ("GET", "HEAD"):
            # Nothing but the query string is read (issue 15: no QueryDict built for every page).
            return _nul_at(request.GET) if request.META.get("QUERY_STRING") else None
        found = _nul_at(request.GET)
        if found is not None:
            return found
        content_type = (request.content_type or "").lower()
        if content_type == "multipart/form-data" and request.path_info.startswith("/api/"):
            # Parsing it here would leave DRF's own parsers an exhausted stream: its CharFields
            # refuse a NUL themselves.
            return None
        if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            from django.http import UnreadablePostError

            try:
                return _nul_at(request.POST)
            except UnreadablePostError:  # the client went away mid-body: nobody is left to answer
                return None
            # A body Django refuses to read (a malformed multipart body, too many fields or files, too
            # large) is not swallowed: Django marks a multipart body it failed to parse as empty, so
            # the view would run as if nothing was sent (and the CSRF check find no token). Raised
            # here, it is Django's 400: ``handler400`` (``portal.views.bad_request``), in the
            # reader's language, one log line, before any view or the CSRF check runs.
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                body = request.body
            except Exception:  # noqa: BLE001 - too large or already read: left to the view
                return None
            if not body:
                return None
            if content_type == "application/x-www-form-urlencoded":
                from django.http import QueryDict

                return _nul_at(QueryDict(body, encoding=request.encoding))
            if content_type.startswith(self.JSON_TYPES) or content_type.endswith("+json"):
                if b"\\u0000" not in body.lower() and b"\x00" not in body:
                    return None
                import json

                try:
                    return _nul_at(json.loads(body))
                except ValueError:
                    return "" if b"\x00" in body else None  # else DRF's parser answers with its own 400
        return None

    def _refuse(self, request, field: str):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("The request holds a NUL character (\\0), which no field accepts. Remove it and try again.")
        if request.path_info.startswith("/api/"):
            body = {"detail": message, "code": "nul_character"}
            if field:
                body.update(field=field, errors={field: [message]})
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": message}, status=400)


class PrivateCacheMiddleware:
    """Every answer to a logged-in person (a session, or an API token: DRF puts its user on the
    request) is theirs: their account, applications, files, the form PDF. Shared caches and the
    browser's disk must not keep it, so it gets ``Cache-Control: private, no-store`` (added to what a
    view set; ``public`` is dropped). Anonymous pages keep their own headers (public pages about a
    person set ``no-store`` themselves, ``portal.security.keep_private``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" not in response:
                response.headers["Cache-Control"] = "private, no-store"  # what patch_cache_control writes
            else:
                from django.utils.cache import patch_cache_control

                patch_cache_control(response, private=True, no_store=True)
        return response


class SessionRefreshMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` idle seconds, yet a session
    is written at most once per ``SESSION_REFRESH_SECONDS`` (issue 15), not
    on every request (``SESSION_SAVE_EVERY_REQUEST`` is off): a request
    whose session was last refreshed that long ago stamps it, which saves
    it and moves its expiry. So the idle limit holds to within that minute
    (29 idle minutes: still logged in; 31: out). Placed right after
    ``SessionMiddleware``, so that its stamp is seen when the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or session.is_empty():
            return response
        from django.conf import settings
        from django.utils import timezone

        now = int(timezone.now().timestamp())
        if session.modified or now - int(session.get(REFRESHED_KEY, 0)) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_KEY] = now
        return response


#: When the session was last written (seconds since the epoch).
REFRESHED_KEY = "_refreshed"


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the policy's header text built once per process (issue 15).

    django-csp builds the ``Content-Security-Policy`` header anew for every response: two deep copies
    of the settings (``dataclasses.asdict``) and two policy builds, for a text that is the same on
    every response that neither used a nonce nor carries a view's own policy (``@csp_update``,
    ``@csp_replace``, ``@csp_override``). Such responses get the text built once, under django-csp's
    own conditions (not over a header already set, not on an exempt response or excluded prefix, not
    on debug error pages); every other response goes through django-csp unchanged, so a nonce a
    template asked for is in its header as before. Rebuilt when a CSP setting changes (tests)."""

    PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                    "_csp_replace_ro")

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None \
                or any(getattr(response, name, None) is not None for name in self.PER_RESPONSE):
            return super().process_response(request, response)
        from django.conf import settings

        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, exempt, prefixes, policy in _csp_headers():
            if policy and header not in response and getattr(response, exempt, False) is False \
                    and not request.path_info.startswith(prefixes):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _csp_headers() -> tuple[tuple[str, str, tuple[str, ...], str], ...]:
    """(header, exemption attribute, excluded path prefixes, policy text) for the policy and the
    report-only policy of the settings, as django-csp builds them for a response that changes nothing."""
    from csp.constants import HEADER, HEADER_REPORT_ONLY
    from csp.utils import build_policy
    from django.conf import settings

    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
    return ((HEADER, "_csp_exempt", tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ()), build_policy()),
            (HEADER_REPORT_ONLY, "_csp_exempt_ro", tuple(report_only.get("EXCLUDE_URL_PREFIXES", None) or ()),
             build_policy(report_only=True)))


@receiver(setting_changed)
def _csp_setting_changed(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_headers.cache_clear()


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's ``LocaleMiddleware``, without its work for language prefixes in paths when the
    request's URLconf has none (``i18n_patterns``; the portal's has none): Django looks for a
    prefix in the path twice a request, to use it only with such patterns (issue 15: ~7 us of the
    ~16 it cost an API request). The language chosen, ``Vary: Accept-Language`` and
    ``Content-Language`` are the same; with prefixed patterns, Django's own code runs."""

    def process_request(self, request):
        if _prefix_patterns_used(request):
            return super().process_request(request)
        from django.utils import translation

        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if _prefix_patterns_used(request):
            return super().process_response(request, response)
        from django.utils import translation

        if "Vary" in response:
            from django.utils.cache import patch_vary_headers

            patch_vary_headers(response, ("Accept-Language",))
        else:
            response.headers["Vary"] = "Accept-Language"  # what patch_vary_headers writes
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _prefix_patterns_used(request) -> bool:
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]


class _LazyMessages(SimpleLazyObject):
    pass


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's ``MessageMiddleware``, with the message storage made when a view or template first
    uses it: building it (a cookie signer, two storages) cost ~12 us on every request, and API
    answers and most pages never touch it (issue 15). A storage that was never made has nothing to
    save, as Django's own ``update`` finds for one that was neither read nor given a message."""

    def process_request(self, request):
        from django.contrib.messages.storage import default_storage

        request._messages = _LazyMessages(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = request.__dict__.get("_messages")
        if type(messages) is _LazyMessages and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
