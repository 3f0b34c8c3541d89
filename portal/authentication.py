"""API authentication by our own hashed, expiring tokens (``portal.models.ApiToken``).

The header is DRF's: ``Authorization: Token <key>``. The key is looked up by its SHA-256; a token
unused for ``API_TOKEN_IDLE_SECONDS`` or older than ``API_TOKEN_MAX_AGE_SECONDS`` is deleted and
refused, as is a token of an inactive account."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        from portal.models import ApiToken

        if not key or len(key) > 128:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.is_expired(now):
            ApiToken.objects.filter(pk=token.pk).delete()
            raise exceptions.AuthenticationFailed(_("The token has expired. Obtain a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if now - token.last_used_at >= dt.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
