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

    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's or second bachelor's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class SkillLevel(RankedChoices):
    """Vocational skill levels used by the high-skill crossover (R4.6), lowest first."""

    SENIOR_WORKER = "senior_worker", _("Senior worker")
    TECHNICIAN = "technician", _("Technician")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician")


class Pathway(models.TextChoices):
    REGULAR = "regular", _("Regular")
    EXCEPTIONAL = "exceptional", _("Exceptional contribution")
    RECOGNITION = "recognition", _("Recognition by the bureau")
    GREEN_CHANNEL = "green_channel", _("Green channel for special talent")
    POSTDOC = "postdoc", _("Enterprise postdoc")
    SKILLS_CROSSOVER = "skills_crossover", _("High-skill crossover")
    QUALIFICATION = "qualification", _("Professional qualification")

    @classmethod
    def rule(cls, code: str) -> str:
        """The domain.md rule that governs a pathway."""
        return {
            cls.REGULAR: "R3.5", cls.EXCEPTIONAL: "R3.6", cls.RECOGNITION: "R4.4", cls.GREEN_CHANNEL: "R4.3",
            cls.POSTDOC: "R4.5", cls.SKILLS_CROSSOVER: "R4.6", cls.QUALIFICATION: "R4.7",
        }.get(code, "R3.5")


class Channel(models.TextChoices):
    """Through whom an application goes (R1.1, R1.4, R1.7, R1.8)."""

    EMPLOYER = "employer", _("Employer")
    ASSOCIATION = "association", _("Association or acceptance body")
    AGENCY = "agency", _("Talent service agency, for freelancers")
    ORIGINAL_UNIT = "original_unit", _("Original unit, on leave for entrepreneurship")
    DISPATCH = "dispatch", _("Where dispatched for over a year")


class Method(models.TextChoices):
    """Evaluation methods a call names (R4.1)."""

    EXAM = "exam", _("Examination")
    REVIEW = "review", _("Review")
    DEFENCE = "defence", _("Defence")
    RECOGNITION = "recognition", _("Recognition")
    PRACTICAL = "practical", _("Practical operation")
    PERFORMANCE = "performance", _("Performance demonstration")
