"""Password rules of graded protection level 3: three character classes."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def count_classes(password: str) -> int:
        checks = (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        )
        return sum(checks)

    def validate(self, password: str, user=None) -> None:
        if self.count_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols.")
                % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols.") % {
            "n": self.min_classes
        }
