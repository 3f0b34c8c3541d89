"""Request context that services read without being passed a request:
the client address for the audit trail."""

from __future__ import annotations

import contextvars

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


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
