"""Eligibility conditions as data (R3.4, R3.5, R3.6, R4.3–R4.7).

Two tables, both edited by the bureau in the Django admin:

- ``EligibilityRoute``: one way (a route) to a target level on a pathway,
  e.g. "engineering, 工程师, regular: bachelor's degree or above + 4 years
  holding 助理工程师". The routes of one series, level and pathway are
  alternatives: meeting any one of them is enough.
- ``EligibilityRequirement``: a condition every applicant on a pathway must
  also meet (two recommendations for an exceptional application, private
  enterprise for the green channel, the continuing-education minimum …) or
  a line that tells the applicant what the application will have to show.

An empty series means "every series"; for routes, rows of the target series
replace the generic rows of the same level and pathway. An empty level means
"every level"; an empty pathway (requirements only) means "every pathway".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.choices import Education, Pathway, RankedChoices, SkillLevel  # noqa: F401 (re-exported)
from applications.models import Level, TitleSeries

__all__ = ["EligibilityRequirement", "EligibilityRoute"]


def _years_field(verbose_name, help_text):
    return models.DecimalField(verbose_name, max_digits=4, decimal_places=1, default=0, help_text=help_text)


class EligibilityRoute(models.Model):
    """One alternative set of conditions that makes an applicant eligible."""

    code = models.SlugField(_("code"), max_length=80, unique=True,
                            help_text=_("A stable key (letters, digits, hyphens); the seed uses it to find its rows."))
    series = models.ForeignKey(TitleSeries, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="eligibility_routes", verbose_name=_("series"),
                               help_text=_("Empty: every series (rows of a series replace these for that series)."))
    level = models.CharField(_("target level"), max_length=20, choices=Level.choices, blank=True,
                             help_text=_("Empty: every level."))
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway.choices, default=Pathway.REGULAR)
    education = models.CharField(_("minimum education"), max_length=24, choices=Education.choices, blank=True,
                                 help_text=_("This education or higher; empty: no education condition."))
    years_since_graduation = _years_field(_("years of work since graduation"),
                                          _("Years of work in the field since graduation."))
    required_level = models.CharField(_("title held"), max_length=20, choices=Level.choices, blank=True,
                                      help_text=_("The applicant must hold the title of this level in the series "
                                                  "(or a qualification corresponding to it, R4.7)."))
    years_at_level = _years_field(_("years holding that title"), _("Years since the title held was obtained."))
    skill_level = models.CharField(_("minimum skill level"), max_length=20, choices=SkillLevel.choices, blank=True,
                                   help_text=_("High-skill crossover (R4.6): this skill level or higher."))
    skill_years = _years_field(_("years at the skill level"), _("Years since the skill level was obtained."))
    qualification_match = models.BooleanField(
        _("qualification must correspond"), default=False,
        help_text=_("R4.7: the applicant's professional qualification must correspond to the target series "
                    "and level."))
    rule = models.CharField(_("rule"), max_length=10, help_text=_("The domain rule id shown with the result."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pathway", "series__order", "level", "order", "code"]
        verbose_name = _("eligibility route")
        verbose_name_plural = _("eligibility routes")
        indexes = [models.Index(fields=["pathway", "level"], name="elig_route_pathway_level")]
        constraints = [
            models.CheckConstraint(condition=Q(level="") | Q(level__in=Level.values), name="elig_route_level_valid"),
            models.CheckConstraint(condition=Q(required_level="") | Q(required_level__in=Level.values),
                                   name="elig_route_required_level_valid"),
            models.CheckConstraint(condition=Q(pathway__in=Pathway.values), name="elig_route_pathway_valid"),
            models.CheckConstraint(condition=Q(education="") | Q(education__in=Education.values),
                                   name="elig_route_education_valid"),
            models.CheckConstraint(condition=Q(skill_level="") | Q(skill_level__in=SkillLevel.values),
                                   name="elig_route_skill_level_valid"),
            models.CheckConstraint(condition=Q(years_since_graduation__gte=0) & Q(years_at_level__gte=0)
                                   & Q(skill_years__gte=0), name="elig_route_years_not_negative"),
        ]

    def __str__(self) -> str:
        return self.code


class RequirementKind(models.TextChoices):
    """What an ``EligibilityRequirement`` checks; the last three only inform."""

    RECOMMENDATIONS = "recommendations", _("Recommendations from full-senior experts (count in value)")
    NO_LEVEL_SKIP = "no_level_skip", _("One level at a time (no level skipped)")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Works in a private enterprise")
    CONTINUING_EDUCATION = "continuing_education", _("Continuing education (hours in value)")
    JUSTIFICATION = "justification", _("Shown on the application: justification of special talent")
    RECOMMENDATION_LETTERS = "recommendation_letters", _(
        "Shown on the application: recommendation letters (count in value)")
    POSTDOC_EVIDENCE = "postdoc_evidence", _("Shown on the application: postdoctoral grant or project evidence")


class EligibilityRequirement(models.Model):
    """A condition that applies on top of the routes (all must be met)."""

    INFORMATIONAL = (RequirementKind.JUSTIFICATION, RequirementKind.RECOMMENDATION_LETTERS,
                     RequirementKind.POSTDOC_EVIDENCE)

    code = models.SlugField(_("code"), max_length=80, unique=True,
                            help_text=_("A stable key (letters, digits, hyphens); the seed uses it to find its rows."))
    series = models.ForeignKey(TitleSeries, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="eligibility_requirements", verbose_name=_("series"),
                               help_text=_("Empty: every series."))
    level = models.CharField(_("target level"), max_length=20, choices=Level.choices, blank=True,
                             help_text=_("Empty: every level."))
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway.choices, blank=True,
                               help_text=_("Empty: every pathway."))
    kind = models.CharField(_("kind"), max_length=24, choices=RequirementKind.choices)
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=1, default=0,
                                help_text=_("Hours for continuing education, a count for recommendations."))
    rule = models.CharField(_("rule"), max_length=10, help_text=_("The domain rule id shown with the result."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("eligibility requirement")
        verbose_name_plural = _("eligibility requirements")
        constraints = [
            models.CheckConstraint(condition=Q(level="") | Q(level__in=Level.values), name="elig_req_level_valid"),
            models.CheckConstraint(condition=Q(pathway="") | Q(pathway__in=Pathway.values),
                                   name="elig_req_pathway_valid"),
            models.CheckConstraint(condition=Q(kind__in=RequirementKind.values), name="elig_req_kind_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="elig_req_value_not_negative"),
        ]

    def __str__(self) -> str:
        return self.code
