"""Stable codes of domain.md shared by eligibility, profile and applications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RankedChoices(models.TextChoices):
    @classmethod
    def rank(cls, code: str | None) -> int:
        """0 for none or an unknown code, then 1, 2, … in declaration order."""
        values = [c.value for c in cls]
        return values.index(code) + 1 if code in values else 0


class Education(RankedChoices):
    """Highest education, lowest first (domain.md codes)."""

    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school (中专/中职)")
    COLLEGE = "college", _("College (大专)")
    BACHELOR = "bachelor", _("Bachelor's degree (本科)")
    MASTER = "master", _("Master's or second bachelor's degree (硕士)")
    DOCTORATE = "doctorate", _("Doctorate (博士)")


class SkillLevel(RankedChoices):
    """Vocational skill levels used by the high-skill crossover (R4.6), lowest first."""

    SENIOR_WORKER = "senior_worker", _("Senior worker (高级工)")
    TECHNICIAN = "technician", _("Technician (技师)")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician (高级技师)")


class Pathway(models.TextChoices):
    REGULAR = "regular", _("Regular (R3.5)")
    EXCEPTIONAL = "exceptional", _("Exceptional contribution (破格, R3.6)")
    RECOGNITION = "recognition", _("Recognition by the bureau (考核认定, R4.4)")
    GREEN_CHANNEL = "green_channel", _("Green channel for special talent (R4.3)")
    POSTDOC = "postdoc", _("Enterprise postdoc (R4.5)")
    SKILLS_CROSSOVER = "skills_crossover", _("High-skill crossover (R4.6)")
    QUALIFICATION = "qualification", _("Professional qualification (R4.7)")

    @classmethod
    def rule(cls, code: str) -> str:
        """The domain.md rule that governs a pathway."""
        return {
            cls.REGULAR: "R3.5", cls.EXCEPTIONAL: "R3.6", cls.RECOGNITION: "R4.4", cls.GREEN_CHANNEL: "R4.3",
            cls.POSTDOC: "R4.5", cls.SKILLS_CROSSOVER: "R4.6", cls.QUALIFICATION: "R4.7",
        }.get(code, "R3.5")


class Channel(models.TextChoices):
    """Through whom an application goes (R1.1, R1.4, R1.7, R1.8)."""

    EMPLOYER = "employer", _("Employer (R1.1)")
    ASSOCIATION = "association", _("Association or acceptance body (R1.4)")
    AGENCY = "agency", _("Talent service agency, for freelancers (R1.4)")
    ORIGINAL_UNIT = "original_unit", _("Original unit, on leave for entrepreneurship (R1.7)")
    DISPATCH = "dispatch", _("Where dispatched for over a year (R1.8)")


class Method(models.TextChoices):
    """Evaluation methods a call names (R4.1)."""

    EXAM = "exam", _("Examination")
    REVIEW = "review", _("Review")
    DEFENCE = "defence", _("Defence")
    RECOGNITION = "recognition", _("Recognition")
    PRACTICAL = "practical", _("Practical operation")
    PERFORMANCE = "performance", _("Performance demonstration")
