"""Amounts and figures as people type them.

A Chinese keyboard in full-width mode types ``１２００.５``; an amount copied from a spreadsheet or a
contract reads ``1,200.5`` (or ``1 200.5``). Django's and DRF's decimal fields refuse both with "输入一个数字".
``normalise_decimal`` turns them into ``1200.5`` before the field validates; what could be read two ways
(``1,2``, ``1 200,5``, ``1.200,5``: a comma that may be a decimal comma) is refused with a message that
says how to write it. The form field and the API field below are the one place this happens.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Spaces people put between groups of digits: ordinary, no-break, thin and narrow no-break.
_GROUP_SPACES = "\u0020\u00a0\u2009\u202f"
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_SPACE_GROUPS = re.compile(r"[+-]?\d{1,3}( \d{3})+(\.\d*)?")

AMBIGUOUS = _("“%(value)s” can be read more than one way: write the number with a point for the decimals, "
              "e.g. 1200.5 or 1,200.5.")


def normalise_decimal(value):
    """The text of a number as Python's ``Decimal`` reads it. Full-width digits, signs and points
    become ASCII (NFKC; ``。`` is not a point and stays wrong); commas grouping thousands (``1,200.5``)
    or spaces grouping thousands (``1 200.5``) are dropped. Anything else with a comma or a space
    between digits raises ``ValidationError`` (code ``ambiguous``). A value that is not text, or
    text that is no number at all, is given back for the field to refuse in its own words."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    for space in _GROUP_SPACES:
        text = text.replace(space, " ")
    if _PLAIN.fullmatch(text):
        return text
    if _COMMA_GROUPS.fullmatch(text):
        return text.replace(",", "")
    if _SPACE_GROUPS.fullmatch(text):
        return text.replace(" ", "")
    if re.search(r"\d[, ]+\d", text) and re.fullmatch(r"[+-]?[\d., ]+", text):
        raise ValidationError(AMBIGUOUS, code="ambiguous", params={"value": value.strip()})
    return text


class TypedDecimalField(forms.DecimalField):
    """``forms.DecimalField`` that takes an amount as people type it (``normalise_decimal``).
    ``grouped=True`` (money, large figures) gives a text box with the decimal keypad, since a browser's
    number box refuses ``1,200.5`` before the form sees it."""

    def __init__(self, *args, grouped=False, **kwargs):
        if grouped and "widget" not in kwargs:
            kwargs["widget"] = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return super().to_python(normalise_decimal(value))


class TypedDecimalApiField(serializers.DecimalField):
    """The API's decimal field with the same reading (``normalise_decimal``); numbers sent as JSON
    numbers are unchanged."""

    default_error_messages = {"ambiguous": AMBIGUOUS}

    def to_internal_value(self, data):
        return super().to_internal_value(normalise_api_number(data))


def normalise_api_number(data):
    """``normalise_decimal`` for an API field: an ambiguous number is the field's 400."""
    try:
        return normalise_decimal(data)
    except ValidationError as error:
        raise serializers.ValidationError(error.messages, code="ambiguous") from error
