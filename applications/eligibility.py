"""The eligibility engine (R3.1, R3.3, R3.5, R3.6, R4.3–R4.7).

``eligibility_evaluate`` is a pure function: it takes the applicant's facts
(``EligibilityInput``), what it needs of the catalogue (``CatalogueFacts``)
and the condition rows (``EligibilityRoute`` / ``EligibilityRequirement``
instances or any objects with the same attributes) and returns an
``EligibilityResult``: eligible or not, with one line per condition, met or
unmet, explained in the active language. ``eligibility_check`` loads the rows
and the catalogue from the database (at most five queries) and calls it.

How the rows combine:

- The routes of the target series, level and pathway are alternatives; they
  give one condition line, met when any route is met. When none is met, the
  line explains the routes that came closest (fewest unmet parts), each
  unmet part in words ("requires 5 years holding 工程师 (intermediate); you
  have 3"). Routes of the target series replace the generic ones.
- Every requirement row that applies gives its own line, all must be met;
  the informational ones (what the application will have to show) are
  listed as met because the self-check cannot verify them.
- R3.1 always adds a met line: papers are never asked for.

"Holding a level" means ``current_level`` is that level, or the applicant's
professional qualification corresponds (R4.7 table) to that level in the
target series; either way the years counted are ``years_at_current_level``.
``current_level`` is taken to be a title of the target series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from applications import eligibility_data
from applications.eligibility_models import (
    Education,
    EligibilityRequirement,
    EligibilityRoute,
    Pathway,
    RequirementKind,
    SkillLevel,
)
from applications.models import Level, Qualification, TitleName, TitleSeries
from portal.errors import InvalidInput

ZERO = Decimal(0)

LEVEL_WORDS = {
    Level.ASSISTANT_JUNIOR: gettext_lazy("assistant junior"),
    Level.JUNIOR: gettext_lazy("junior"),
    Level.INTERMEDIATE: gettext_lazy("intermediate"),
    Level.DEPUTY_SENIOR: gettext_lazy("deputy senior"),
    Level.SENIOR: gettext_lazy("senior"),
}
EDUCATION_WORDS = {
    Education.SECONDARY_VOCATIONAL: gettext_lazy("a secondary vocational diploma"),
    Education.COLLEGE: gettext_lazy("a college diploma"),
    Education.BACHELOR: gettext_lazy("a bachelor's degree"),
    Education.MASTER: gettext_lazy("a master's degree"),
    Education.DOCTORATE: gettext_lazy("a doctorate"),
}
SKILL_WORDS = {
    SkillLevel.SENIOR_WORKER: pgettext_lazy("eligibility", "senior worker"),
    SkillLevel.TECHNICIAN: pgettext_lazy("eligibility", "technician"),
    SkillLevel.SENIOR_TECHNICIAN: pgettext_lazy("eligibility", "senior technician"),
}
PATHWAY_WORDS = {
    Pathway.REGULAR: gettext_lazy("regular"),
    Pathway.EXCEPTIONAL: pgettext_lazy("eligibility", "exceptional"),
    Pathway.RECOGNITION: pgettext_lazy("eligibility", "recognition"),
    Pathway.GREEN_CHANNEL: gettext_lazy("green channel"),
    Pathway.POSTDOC: gettext_lazy("enterprise postdoc"),
    Pathway.SKILLS_CROSSOVER: gettext_lazy("high-skill crossover"),
    Pathway.QUALIFICATION: gettext_lazy("professional qualification"),
}
PAPERS_RULE = "R3.1"


# --- Input, catalogue facts and result -------------------------------------

@dataclass(frozen=True)
class EligibilityInput:
    """The applicant's facts, with the codes of domain.md. Absent means none/zero/false."""

    series: str
    level: str
    pathway: str = Pathway.REGULAR
    education: str | None = None
    years_since_graduation: Decimal = ZERO
    current_level: str | None = None
    years_at_current_level: Decimal = ZERO
    skill_level: str | None = None
    skill_years: Decimal = ZERO
    qualification: str | None = None
    continuing_education_hours: Decimal = ZERO
    private_enterprise: bool = False
    first_time: bool = False
    recommendations: int = 0

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> EligibilityInput:
        """Build from validated form or serializer data: ``None`` and "" mean absent."""
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = data.get(name)
            if value is None or value == "":
                continue
            if name in ("years_since_graduation", "years_at_current_level", "skill_years",
                        "continuing_education_hours"):
                value = Decimal(str(value))
            values[name] = value
        values.setdefault("pathway", Pathway.REGULAR)
        return cls(**values)


@dataclass(frozen=True)
class TitleFacts:
    name: str
    name_en: str = ""
    name_ug: str = ""


@dataclass(frozen=True)
class QualificationFacts:
    code: str
    name: str
    name_en: str
    series_code: str
    level: str
    name_ug: str = ""


@dataclass(frozen=True)
class CatalogueFacts:
    """What the engine needs of the catalogue for one target series."""

    series_id: int | None
    series_code: str
    series_name: str
    series_name_en: str = ""
    titles: Mapping[str, TitleFacts] = field(default_factory=dict)
    qualification: QualificationFacts | None = None
    series_name_ug: str = ""


@dataclass(frozen=True)
class ConditionLine:
    rule: str
    met: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "met": self.met, "message": self.message}


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    conditions: list[ConditionLine]

    def as_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "conditions": [c.as_dict() for c in self.conditions]}


# --- Wording ----------------------------------------------------------------

def _named(name: str, name_en: str, name_ug: str = "") -> str:
    """A catalogue name in the reader's language, as ``display_name`` gives it."""
    from portal.models import name_in_language

    return name_in_language(name, name_en, name_ug)


def _num(value: Decimal | int) -> str:
    """5 → "5", 4.90 → "4.9"."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _count(value: Decimal | int) -> int:
    """The count ``ngettext`` needs: 1 only for exactly one."""
    return 1 if Decimal(value) == 1 else 2


def _title(catalogue: CatalogueFacts, level: str) -> str:
    words = LEVEL_WORDS.get(level, level)
    title = catalogue.titles.get(level)
    if title is None:
        return str(words)
    name = _named(title.name, title.name_en, title.name_ug)
    return _("%(title)s (%(level)s)") % {"title": name, "level": words}


def _qualification_name(qualification: QualificationFacts) -> str:
    return _named(qualification.name, qualification.name_en, qualification.name_ug)


def _series_name(catalogue: CatalogueFacts) -> str:
    return _named(catalogue.series_name, catalogue.series_name_en, catalogue.series_name_ug)


def _years(value: Decimal) -> str:
    return ngettext("%(years)s year", "%(years)s years", _count(value)) % {"years": _num(value)}


def _education_minimum(code: str) -> str:
    if Education.rank(code) == len(Education.values):
        return str(EDUCATION_WORDS[code])
    return _("%(education)s or higher") % {"education": EDUCATION_WORDS[code]}


def _skill_minimum(code: str) -> str:
    if SkillLevel.rank(code) == len(SkillLevel.values):
        return str(SKILL_WORDS[code])
    return _("%(skill)s or higher") % {"skill": SKILL_WORDS[code]}


# --- Routes -----------------------------------------------------------------

@dataclass
class _Held:
    """The levels of the target series the applicant holds, and for how long."""

    levels: set[str]
    years: Decimal

    @property
    def rank(self) -> int:
        return max((Level.rank(level) for level in self.levels), default=0)


def _held(facts: EligibilityInput, catalogue: CatalogueFacts) -> _Held:
    levels = set()
    if facts.current_level:
        levels.add(facts.current_level)
    qualification = catalogue.qualification
    if qualification is not None and qualification.series_code == catalogue.series_code:
        levels.add(qualification.level)
    return _Held(levels=levels, years=facts.years_at_current_level)


def _held_words(catalogue: CatalogueFacts, held: _Held) -> str:
    if not held.levels:
        return _("no title of this series")
    ordered = sorted(held.levels, key=Level.rank)
    return _(" and ").join(_title(catalogue, level) for level in ordered)


def _route_parts(route, catalogue: CatalogueFacts) -> list[str]:
    """The route's conditions in words (for a met line)."""
    parts = []
    if route.education:
        parts.append(_education_minimum(route.education))
    if route.years_since_graduation > 0:
        parts.append(ngettext("%(years)s year of work since graduation", "%(years)s years of work since graduation",
                              _count(route.years_since_graduation)) % {"years": _num(route.years_since_graduation)})
    if route.required_level:
        title = _title(catalogue, route.required_level)
        if route.years_at_level > 0:
            parts.append(_("%(years)s holding %(title)s") % {"years": _years(route.years_at_level), "title": title})
        else:
            parts.append(_("holding %(title)s") % {"title": title})
    if route.skill_level:
        skill = _skill_minimum(route.skill_level)
        if route.skill_years > 0:
            parts.append(_("%(years)s as %(skill)s") % {"years": _years(route.skill_years), "skill": skill})
        else:
            parts.append(skill)
    if route.qualification_match:
        parts.append(_("a professional qualification corresponding to this title"))
    return parts


def _route_failures(route, facts: EligibilityInput, catalogue: CatalogueFacts, held: _Held,
                    target_level: str) -> list[str]:
    """Each unmet part of one route, explained with what the applicant has."""
    failures = []
    if route.education and Education.rank(facts.education) < Education.rank(route.education):
        actual = EDUCATION_WORDS.get(facts.education) or _("no education entered")
        failures.append(pgettext("education", "requires %(required)s; you have %(actual)s")
                        % {"required": _education_minimum(route.education), "actual": actual})
    if facts.years_since_graduation < route.years_since_graduation:
        failures.append(pgettext("years", "requires %(required)s of work since graduation; you have %(actual)s")
                        % {"required": _years(route.years_since_graduation),
                           "actual": _num(facts.years_since_graduation)})
    if route.required_level:
        title = _title(catalogue, route.required_level)
        required = (_("%(years)s holding %(title)s") % {"years": _years(route.years_at_level), "title": title}
                    if route.years_at_level > 0 else _("holding %(title)s") % {"title": title})
        if route.required_level not in held.levels:
            failures.append(_("requires %(required)s; you hold %(held)s")
                            % {"required": required, "held": _held_words(catalogue, held)})
        elif held.years < route.years_at_level:
            failures.append(pgettext("years", "requires %(required)s; you have %(actual)s")
                            % {"required": required, "actual": _num(held.years)})
    if route.skill_level:
        skill = _skill_minimum(route.skill_level)
        if SkillLevel.rank(facts.skill_level) < SkillLevel.rank(route.skill_level):
            actual = SKILL_WORDS.get(facts.skill_level) or _("no skill level entered")
            failures.append(pgettext("skill", "requires %(required)s; you have %(actual)s")
                            % {"required": skill, "actual": actual})
        elif facts.skill_years < route.skill_years:
            failures.append(pgettext("years", "requires %(years)s as %(skill)s; you have %(actual)s")
                            % {"years": _years(route.skill_years), "skill": skill, "actual": _num(facts.skill_years)})
    if route.qualification_match:
        wanted = _title(catalogue, target_level)
        qualification = catalogue.qualification
        if qualification is None:
            failures.append(_("requires a professional qualification corresponding to %(title)s; you entered none")
                            % {"title": wanted})
        elif (qualification.series_code, qualification.level) != (catalogue.series_code, target_level):
            failures.append(_("requires a professional qualification corresponding to %(title)s; "
                              "%(qualification)s corresponds to %(actual)s")
                            % {"title": wanted, "qualification": _qualification_name(qualification),
                               "actual": _qualification_level_words(qualification, catalogue)})
    return failures


def _qualification_level_words(qualification: QualificationFacts, catalogue: CatalogueFacts) -> str:
    if qualification.series_code == catalogue.series_code:
        return _title(catalogue, qualification.level)
    return _("the %(level)s level of another series") % {"level": LEVEL_WORDS.get(qualification.level, "")}


def _applicable_routes(routes: Iterable, facts: EligibilityInput, catalogue: CatalogueFacts) -> list:
    candidates = [r for r in routes if r.is_active and r.pathway == facts.pathway and r.level in ("", facts.level)
                  and r.series_id in (None, catalogue.series_id)]
    own = [r for r in candidates if r.series_id is not None]
    chosen = own or candidates
    return sorted(chosen, key=lambda r: (r.order, r.code))


def _route_line(facts: EligibilityInput, catalogue: CatalogueFacts, routes: list, held: _Held) -> ConditionLine:
    default_rule = Pathway.rule(facts.pathway)
    if not routes:
        return ConditionLine(default_rule, False, _(
            "The %(pathway)s pathway does not lead to %(title)s: no conditions are configured for this series "
            "and level yet.") % {"pathway": PATHWAY_WORDS.get(facts.pathway, facts.pathway),
                                 "title": _title(catalogue, facts.level)})
    evaluated = [(route, _route_failures(route, facts, catalogue, held, facts.level)) for route in routes]
    for route, failures in evaluated:
        if not failures:
            parts = _route_parts(route, catalogue) or [_("no education, title or years required")]
            return ConditionLine(route.rule or default_rule, True,
                                 _("Met: %(route)s.") % {"route": " + ".join(parts)})
    fewest = min(len(failures) for _route, failures in evaluated)
    # The closest routes; those the applicant's education already allows come first.
    closest = sorted(((route, failures) for route, failures in evaluated if len(failures) == fewest),
                     key=lambda pair: Education.rank(facts.education) < Education.rank(pair[0].education))
    explanation = _(". Or: ").join(_("; ").join(failures) for _route, failures in closest)
    return ConditionLine(closest[0][0].rule or default_rule, False,
                         _("Not met: %(explanation)s.") % {"explanation": explanation})


# --- Requirements -----------------------------------------------------------

def _applicable_requirements(requirements: Iterable, facts: EligibilityInput, catalogue: CatalogueFacts) -> list:
    chosen = [r for r in requirements if r.is_active and r.series_id in (None, catalogue.series_id)
              and r.level in ("", facts.level) and r.pathway in ("", facts.pathway)]
    return sorted(chosen, key=lambda r: (r.order, r.code))


def _requirement_line(requirement, facts: EligibilityInput, catalogue: CatalogueFacts,
                      held: _Held) -> ConditionLine:
    kind, value, rule = requirement.kind, Decimal(requirement.value), requirement.rule
    if kind == RequirementKind.RECOMMENDATIONS:
        met = facts.recommendations >= value
        return ConditionLine(rule, met, ngettext(
            "%(required)s recommendation from a full-senior expert is required; you have %(actual)s.",
            "%(required)s recommendations from full-senior experts are required; you have %(actual)s.",
            _count(value)) % {"required": _num(value), "actual": facts.recommendations})
    if kind == RequirementKind.NO_LEVEL_SKIP:
        return _no_level_skip_line(rule, facts, catalogue, held)
    if kind == RequirementKind.PRIVATE_ENTERPRISE:
        if facts.private_enterprise:
            return ConditionLine(rule, True, _("You work in a private enterprise, as this pathway requires."))
        return ConditionLine(rule, False, _("This pathway is open only to professionals of private enterprises."))
    if kind == RequirementKind.CONTINUING_EDUCATION:
        return _continuing_education_line(rule, facts, value)
    if kind == RequirementKind.JUSTIFICATION:
        return ConditionLine(rule, True, _("To show on the application: a justification of the special talent "
                                           "(checked on the application)."))
    if kind == RequirementKind.RECOMMENDATION_LETTERS:
        return ConditionLine(rule, True, ngettext(
            "To show on the application: %(count)s recommendation letter (checked on the application).",
            "To show on the application: %(count)s recommendation letters (checked on the application).",
            _count(value)) % {"count": _num(value)})
    if kind == RequirementKind.POSTDOC_EVIDENCE:
        return ConditionLine(rule, True, _(
            "To show on the application: a China Postdoctoral Science Foundation grant or a provincial-or-higher "
            "project you lead, and that you stay in the enterprise after the postdoctoral station (checked on the "
            "application)."))
    return ConditionLine(rule, False, _("Unknown condition “%(kind)s”; ask the bureau to correct it.")
                         % {"kind": kind})


def _no_level_skip_line(rule: str, facts: EligibilityInput, catalogue: CatalogueFacts, held: _Held) -> ConditionLine:
    if held.rank == 0:
        return ConditionLine(rule, True, _("One level at a time: you hold no title of this series yet; the entry "
                                           "level follows from the route above."))
    target = Level.rank(facts.level)
    if target <= held.rank + 1:
        return ConditionLine(rule, True, _("One level at a time: %(target)s is at most one level above %(held)s.")
                             % {"target": _title(catalogue, facts.level), "held": _held_words(catalogue, held)})
    next_level = Level.values[held.rank]  # rank is 1-based: the level just above the highest held
    return ConditionLine(rule, False, _("No level may be skipped: you hold %(held)s, so the highest level you may "
                                        "apply for is %(next)s.")
                         % {"held": _held_words(catalogue, held), "next": _title(catalogue, next_level)})


def _continuing_education_line(rule: str, facts: EligibilityInput, hours: Decimal) -> ConditionLine:
    if facts.private_enterprise and facts.first_time:
        return ConditionLine(rule, True, _("Continuing education is not required of a private-enterprise "
                                           "applicant applying for the first time (R3.3)."))
    met = facts.continuing_education_hours >= hours
    message = _("Continuing education: %(required)s hours required; you have %(actual)s.") % {
        "required": _num(hours), "actual": _num(facts.continuing_education_hours)}
    if not met:
        message += " " + _("(Not required of a private-enterprise applicant applying for the first time, R3.3.)")
    return ConditionLine(rule, met, message)


# --- The engine -------------------------------------------------------------

def eligibility_evaluate(facts: EligibilityInput, *, catalogue: CatalogueFacts, routes: Iterable,
                         requirements: Iterable) -> EligibilityResult:
    """Decide eligibility from the facts and the condition rows; no database access."""
    papers = ConditionLine(PAPERS_RULE, True, _("Papers are not required (R3.1)."))
    if facts.level not in catalogue.titles:
        line = ConditionLine(Pathway.rule(facts.pathway), False,
                             _("%(series)s has no title at the %(level)s level.")
                             % {"series": _series_name(catalogue), "level": LEVEL_WORDS.get(facts.level, facts.level)})
        return EligibilityResult(eligible=False, conditions=[line, papers])
    held = _held(facts, catalogue)
    lines = [_route_line(facts, catalogue, _applicable_routes(routes, facts, catalogue), held)]
    lines += [_requirement_line(r, facts, catalogue, held)
              for r in _applicable_requirements(requirements, facts, catalogue)]
    lines.append(papers)
    return EligibilityResult(eligible=all(line.met for line in lines), conditions=lines)


def _validate_codes(facts: EligibilityInput) -> None:
    checks = [("level", facts.level, Level.values), ("pathway", facts.pathway, Pathway.values),
              ("education", facts.education, Education.values),
              ("current_level", facts.current_level, Level.values),
              ("skill_level", facts.skill_level, SkillLevel.values)]
    for name, value, allowed in checks:
        if value is not None and value not in allowed:
            raise InvalidInput(_("Unknown %(field)s code “%(code)s”.") % {"field": name, "code": value}, field=name)
    numbers = [("years_since_graduation", facts.years_since_graduation),
               ("years_at_current_level", facts.years_at_current_level), ("skill_years", facts.skill_years),
               ("continuing_education_hours", facts.continuing_education_hours),
               ("recommendations", facts.recommendations)]
    for name, value in numbers:
        if value < 0:
            raise InvalidInput(_("%(field)s may not be negative.") % {"field": name}, field=name)


def eligibility_catalogue(*, series_code: str, qualification_code: str | None) -> CatalogueFacts:
    """The catalogue facts for one check (two or three queries)."""
    series = TitleSeries.objects.filter(code=series_code, is_active=True).first()
    if series is None:
        raise InvalidInput(_("Unknown series code “%(code)s”.") % {"code": series_code}, field="series")
    titles = {t.level: TitleFacts(t.name, t.name_en, t.name_ug) for t in TitleName.objects.filter(series=series)}
    qualification = None
    if qualification_code:
        row = Qualification.objects.select_related("series").filter(code=qualification_code).first()
        if row is None:
            raise InvalidInput(_("Unknown qualification code “%(code)s”.") % {"code": qualification_code},
                               field="qualification")
        qualification = QualificationFacts(row.code, row.name, row.name_en, row.series.code, row.level, row.name_ug)
    return CatalogueFacts(series.pk, series.code, series.name, series.name_en, titles, qualification,
                          series.name_ug)


def eligibility_check(*, facts: EligibilityInput) -> EligibilityResult:
    """Load the catalogue and the condition rows that may apply, then evaluate."""
    _validate_codes(facts)
    catalogue = eligibility_catalogue(series_code=facts.series, qualification_code=facts.qualification)
    in_series = Q(series_id=catalogue.series_id) | Q(series__isnull=True)
    routes = EligibilityRoute.objects.filter(in_series, pathway=facts.pathway, level__in=[facts.level, ""],
                                             is_active=True)
    requirements = EligibilityRequirement.objects.filter(in_series, level__in=[facts.level, ""],
                                                         pathway__in=[facts.pathway, ""], is_active=True)
    return eligibility_evaluate(facts, catalogue=catalogue, routes=list(routes), requirements=list(requirements))


# --- Seed -------------------------------------------------------------------

@transaction.atomic
def eligibility_seed() -> dict[str, int]:
    """Create the seeded routes and requirements that are missing (by code).

    Idempotent; rows that exist are left as the bureau edited them. Needs the
    catalogue (``catalogue_seed``) first.
    """
    series_by_code = {s.code: s for s in TitleSeries.objects.all()}
    created = {"routes": 0, "requirements": 0}
    for model, rows, key in ((EligibilityRoute, eligibility_data.ROUTES, "routes"),
                             (EligibilityRequirement, eligibility_data.REQUIREMENTS, "requirements")):
        existing = set(model.objects.values_list("code", flat=True))
        for row in rows:
            if row["code"] in existing:
                continue
            values = dict(row)
            series_code = values.pop("series", None)
            if series_code is not None:
                if series_code not in series_by_code:
                    raise LookupError(f"eligibility seed needs the catalogue series {series_code!r}")
                values["series"] = series_by_code[series_code]
            obj = model(**values)
            obj.full_clean()
            obj.save()
            created[key] += 1
    return created
