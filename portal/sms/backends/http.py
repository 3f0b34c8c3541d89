"""A real SMS gateway over HTTP: the single-send API of Yunpian (云片, ``/v2/sms/single_send.json``),
which many Chinese SMS platforms, government ones included, also speak.

Settings (docs/deployment.md): ``SMS_GATEWAY_URL``, ``SMS_GATEWAY_API_KEY``, ``SMS_SIGNATURE`` (the
approved 【签名】 every text must begin with), ``SMS_GATEWAY_TIMEOUT`` (seconds) and
``SMS_GATEWAY_RETRY_CODES`` (the gateway's answer codes that mean "too often, try later").

The request is a form POST of ``apikey``, ``mobile``, ``text`` and ``uid`` (the portal's delivery
reference). The gateway answers JSON: ``{"code": 0, "sid": …}`` when it accepts the text, otherwise a
non-zero ``code`` with ``msg`` and ``detail``. What happens:

* accepted → ``provider_ref`` = the gateway's ``sid``;
* timeout, connection error, HTTP 5xx or 429, an answer that is not JSON, or a code in
  ``SMS_GATEWAY_RETRY_CODES`` → ``SmsError(retry=True)``: the delivery is retried with backoff;
* any other refusal (a number or text the gateway will never take, a wrong key) →
  ``SmsError(retry=False)``: the delivery is marked failed at once.

The API key never appears in an error or a log line; the mobile number appears only masked.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.personal_data import mask_mobile
from portal.sms import SmsError
from portal.sms.backends.base import BaseSmsBackend

DEFAULT_URL = "https://sms.yunpian.com/v2/sms/single_send.json"
#: Yunpian's "too often" answers (same text twice in 30 s, 3 times in 5 min, codes per hour, rate, per day).
DEFAULT_RETRY_CODES = (8, 9, 22, 33, 43)


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, url: str | None = None, api_key: str | None = None, signature: str | None = None,
                 timeout: float | None = None, retry_codes=None, **kwargs):
        super().__init__(**kwargs)
        self.url = url or getattr(settings, "SMS_GATEWAY_URL", "") or DEFAULT_URL
        self.api_key = api_key if api_key is not None else getattr(settings, "SMS_GATEWAY_API_KEY", "")
        self.signature = signature if signature is not None else getattr(settings, "SMS_SIGNATURE", "")
        self.timeout = timeout or getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)
        codes = retry_codes if retry_codes is not None else getattr(settings, "SMS_GATEWAY_RETRY_CODES", None)
        self.retry_codes = {int(c) for c in (codes if codes is not None else DEFAULT_RETRY_CODES)}
        if not self.api_key:
            raise ImproperlyConfigured("The HTTP SMS backend needs SMS_GATEWAY_API_KEY.")
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) URL.")

    def send_messages(self, messages) -> int:
        for message in messages:
            self._send(message)
        return len(messages)

    def _text(self, text: str) -> str:
        if self.signature and not text.startswith(self.signature):
            return f"{self.signature}{text}"
        return text

    def _send(self, message) -> None:
        who = mask_mobile(message.to)
        form = {"apikey": self.api_key, "mobile": message.to, "text": self._text(message.text)}
        if message.reference:
            form["uid"] = message.reference
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, http(s) checked
            self.url, data=urllib.parse.urlencode(form).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
                     "Accept": "application/json;charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except TimeoutError:
            raise SmsError(f"gateway timed out sending to {who}", retry=True)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsError(f"gateway unreachable sending to {who}: {reason}", retry=True)
        if status >= 500 or status == 429:
            raise SmsError(f"gateway answered HTTP {status} for {who}", retry=True)
        try:
            answer = json.loads(raw.decode("utf-8"))
            code = int(answer.get("code"))
        except (ValueError, TypeError, AttributeError):
            raise SmsError(f"gateway answered HTTP {status} without a readable result for {who}", retry=True)
        if code == 0:
            message.provider_ref = str(answer.get("sid") or "")
            return
        detail = str(answer.get("detail") or answer.get("msg") or "")[:120]
        raise SmsError(f"gateway refused the text to {who}: code {code} {detail}".strip(),
                       retry=code in self.retry_codes)
