"""Reads of the statistics: who sees which region, the labels of each
dimension, and the figures of one page (headline and every table) in one
query on the aggregate table — never on applications."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from applications.choices import Pathway
from applications.models import Level, TitleSeries
from portal.errors import NotAllowed, NotFound
from portal.models import Organization, Region, Role, User
from stats.models import ALL, DIMENSIONS, NO_EMPLOYER, UNKNOWN, StatsCell, StatsRefresh
from stats.services import REGIONAL_CODE

#: The tables of the page: public name → dimension of the cube.
TABLES = {"prefecture": "region", "series": "series", "level": "level", "pathway": "pathway",
          "ownership": "ownership", "year": "year"}
MEASURES = ("applications", "passed", "failed", "certificates", "private_applications", "reached")


@dataclass(frozen=True)
class StatsScope:
    """What a user sees: ``region`` "" is the whole autonomous region."""

    whole: bool
    region: str
    region_name: str
    regions: tuple[str, ...]  # the region codes the user may drill into


@dataclass
class Labels:
    """Code → label of each dimension, in display order."""

    by_dimension: dict[str, dict] = field(default_factory=dict)

    def label(self, dimension: str, code) -> str:
        return str(self.by_dimension.get(dimension, {}).get(code, code))


def latest_refresh() -> StatsRefresh | None:
    return StatsRefresh.objects.order_by("-finished_at", "-pk").first()


def stats_labels(*, refresh: StatsRefresh | None) -> Labels:
    """Two small queries (regions, series); the other dimensions are choices."""
    regions = {}
    for region in Region.objects.order_by("code").only("code", "name", "name_en", "name_ug", "kind"):
        name = region.display_name
        regions[region.code] = ((_("%(name)s (region level)") % {"name": name}) if region.kind == Region.Kind.PROVINCE
                                else name)
    ownership = dict(Organization.Ownership.choices)
    ownership[NO_EMPLOYER] = _("No employer (freelancer)")
    ownership[UNKNOWN] = _("Not recorded (certificate outside an application)")
    return Labels({
        "region": regions,
        "series": {s.code: s.display_name for s in TitleSeries.objects.order_by("order", "code").only(
            "code", "name", "name_en", "name_ug")},
        "level": dict(Level.choices),
        "pathway": dict(Pathway.choices),
        "ownership": ownership,
        "year": {y: str(y) for y in sorted(refresh.years if refresh else [], reverse=True)},
    })


def stats_scope_for_user(*, user: User, prefecture: str = "") -> StatsScope:
    """The regional bureau and supervisors see the whole region and may drill
    into any prefecture; a prefecture bureau sees only its own (another one is
    not found)."""
    from portal.selectors import bureau_regions_for_user

    prefecture = (prefecture or "").strip()
    names = {r.code: r.display_name for r in Region.objects.only("code", "name", "name_en", "name_ug")}
    own = []
    if user.has_role(Role.BUREAU_OFFICER):
        own = sorted(bureau_regions_for_user(user=user).values_list("code", flat=True))
    whole = user.has_role(Role.SUPERVISOR) or REGIONAL_CODE in own
    if whole:
        if prefecture and prefecture not in names:
            raise NotFound(_("No such prefecture."))
        return StatsScope(True, prefecture, names.get(prefecture, names.get(REGIONAL_CODE, "")), tuple(names))
    if not own:
        raise NotAllowed(_("Only an HR bureau officer or a supervisor may see the statistics."))
    if prefecture and prefecture not in own:
        raise NotFound(_("No such prefecture."))
    region = prefecture or own[0]
    return StatsScope(False, region, names.get(region, region), tuple(own))


def _base(scope: StatsScope, filters: dict) -> dict:
    base = {d: (filters.get(d) or ALL[d]) for d in DIMENSIONS if d != "region"}
    base["region"] = scope.region
    return base


def _table_condition(dimension: str, scope: StatsScope, filters: dict, labels: Labels) -> Q | None:
    base = _base(scope, filters)
    if base[dimension] != ALL[dimension]:
        return Q(**base)  # filtered on this dimension: its one row
    values = list(labels.by_dimension[dimension])
    if dimension == "region":
        values = list(scope.regions)
    if not values:
        return None
    base.pop(dimension)
    return Q(**base, **{f"{dimension}__in": values})


def row_dict(cell: StatsCell | None, *, key="", label="") -> dict:
    data = {"key": key, "label": label}
    for m in MEASURES:
        data[m] = getattr(cell, m) if cell is not None else 0
    decided = data["passed"] + data["failed"]
    data["pass_rate"] = round(100 * data["passed"] / decided, 1) if decided else None
    return data


def stats_figures(*, scope: StatsScope, filters: dict, labels: Labels, tables=tuple(TABLES)) -> dict:
    """The headline and the requested tables, from one query on StatsCell.

    ``filters`` maps dimensions (year, series, level, pathway, ownership) to a
    validated value or to the empty value for "all"."""
    conditions = Q(**_base(scope, filters))
    for name in tables:
        condition = _table_condition(TABLES[name], scope, filters, labels)
        if condition is not None:
            conditions |= condition
    cells = list(StatsCell.objects.filter(conditions))
    base = _base(scope, filters)
    headline, grouped = None, {name: {} for name in tables}
    for cell in cells:
        differing = [d for d in DIMENSIONS if getattr(cell, d) != base[d]]
        if all(getattr(cell, d) == base[d] for d in DIMENSIONS):
            headline = cell
            for name in tables:  # a dimension fixed by a filter: its table is the headline's row
                if base[TABLES[name]] != ALL[TABLES[name]]:
                    grouped[name][base[TABLES[name]]] = cell
        elif len(differing) == 1:
            for name in tables:
                if TABLES[name] == differing[0]:
                    grouped[name][getattr(cell, differing[0])] = cell
    result = {"headline": row_dict(headline, label=_("Total")), "tables": {}}
    for name in tables:
        dimension = TABLES[name]
        order = list(scope.regions) if dimension == "region" else list(labels.by_dimension[dimension])
        extra = [k for k in grouped[name] if k not in order]
        result["tables"][name] = [row_dict(grouped[name][k], key=k, label=labels.label(dimension, k))
                                  for k in order + sorted(extra, key=str) if k in grouped[name]]
    return result
