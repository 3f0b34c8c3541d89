"""What is applied for: the title catalogue (series, specialty, level, title
name) and professional qualifications that correspond to titles (R4.7)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Title levels; codes are stable (domain.md)."""

    ASSISTANT_JUNIOR = "assistant_junior", _("Assistant junior (员级)")
    JUNIOR = "junior", _("Junior (助理级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    DEPUTY_SENIOR = "deputy_senior", _("Deputy senior (副高级)")
    SENIOR = "senior", _("Senior (正高级)")

    @classmethod
    def rank(cls, code: str | None) -> int:
        """0 for none, 1 for assistant junior … 5 for senior."""
        if not code:
            return 0
        return [c.value for c in cls].index(code) + 1


class TitleSeries(models.Model):
    """职称系列: one of the 27 national series."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("title series")
        verbose_name_plural = _("title series")

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """专业 within a series. The regional bureau adds new ones (R3.4)."""

    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="specialties",
                               verbose_name=_("series"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    added_by_region = models.ForeignKey("portal.Region", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("added by (region)"),
                                        help_text=_("Empty for national specialties; "
                                                    "set when a bureau adds one (R3.4)."))

    class Meta:
        ordering = ["series__order", "name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        constraints = [models.UniqueConstraint(fields=["series", "code"], name="specialty_code_unique_in_series")]

    def __str__(self) -> str:
        return f"{self.series.name} · {self.name}"


class TitleName(models.Model):
    """The title's name at one level of a series (工程师 = engineering, intermediate)."""

    series = models.ForeignKey(TitleSeries, on_delete=models.CASCADE, related_name="titles",
                               verbose_name=_("series"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    rank = models.PositiveSmallIntegerField(editable=False, default=0)
    name = models.CharField(_("title"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)

    class Meta:
        ordering = ["series__order", "rank"]
        verbose_name = _("title name")
        verbose_name_plural = _("title names")
        constraints = [
            models.UniqueConstraint(fields=["series", "level"], name="title_name_unique_level"),
            models.CheckConstraint(condition=Q(level__in=[c.value for c in Level]), name="title_name_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.rank = Level.rank(self.level)
        super().save(*args, **kwargs)


class Qualification(models.Model):
    """A professional qualification that counts as a title level (R4.7)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="qualifications",
                               verbose_name=_("series"))
    level = models.CharField(_("corresponding level"), max_length=20, choices=Level.choices)

    class Meta:
        ordering = ["series__order", "level", "name"]
        verbose_name = _("professional qualification")
        verbose_name_plural = _("professional qualifications")

    def __str__(self) -> str:
        return self.name
from applications.eligibility_models import *  # noqa: E402,F401,F403
