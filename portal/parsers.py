"""The API's JSON parser: DRF's, with a malformed body answered in the reader's language.

DRF answers a body that is not JSON with ``JSON parse error - `` and Python's own (English) message,
on a Chinese or Uyghur request too. This one says it in the active language, with the line and
column where the body stopped being JSON, and echoes nothing of the body."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(_("The request body is not valid JSON (line %(line)d, column %(column)d).")
                                 % {"line": cause.lineno, "column": cause.colno}) from None
            if isinstance(cause, UnicodeDecodeError):
                raise ParseError(_("The request body is not valid UTF-8 text.")) from None
            raise ParseError(_("The request body is not valid JSON.")) from None
