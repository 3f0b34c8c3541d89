"""Aggregate tables of the statistics (issue "Supervision and statistics", part 5).

Nothing here is written by hand: :func:`stats.services.stats_refresh` replaces
the contents of :class:`StatsCell` in one transaction from applications and
certificates (``INSERT … SELECT … GROUP BY``), and records a
:class:`StatsRefresh`. Pages and the API read only these tables, so a request
never scans applications.

``StatsCell`` is a data cube: one row per combination of the six dimensions
(year, region, series, level, pathway, ownership) *and* of every roll-up of
them, where the empty value (``""``, or ``0`` for the year) means "all". The
additive counts of a roll-up equal the sum of its cells; the count of distinct
private-enterprise professionals (``reached``) does not — a person may apply in
two series or years — which is why every roll-up is stored rather than summed
at request time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: The dimensions, in the order of the cube's columns.
DIMENSIONS = ("year", "region", "series", "level", "pathway", "ownership")
#: The value that stands for "all" in each dimension.
ALL = {"year": 0, "region": "", "series": "", "level": "", "pathway": "", "ownership": ""}
#: Ownership of an application without an employer (freelancers through an agency).
NO_EMPLOYER = "none"
#: Ownership of a certificate issued outside an application (imported batches).
UNKNOWN = "unknown"


class StatsCell(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), default=0)
    region = models.CharField(_("region"), max_length=6, blank=True, default="")
    series = models.CharField(_("series"), max_length=40, blank=True, default="")
    level = models.CharField(_("level"), max_length=20, blank=True, default="")
    pathway = models.CharField(_("pathway"), max_length=20, blank=True, default="")
    ownership = models.CharField(_("ownership"), max_length=16, blank=True, default="")
    applications = models.PositiveIntegerField(_("applications"), default=0)
    passed = models.PositiveIntegerField(_("passes"), default=0)
    failed = models.PositiveIntegerField(_("not passed"), default=0)
    certificates = models.PositiveIntegerField(_("certificates"), default=0)
    private_applications = models.PositiveIntegerField(_("private-enterprise applications"), default=0)
    reached = models.PositiveIntegerField(_("private-enterprise professionals reached"), default=0)

    class Meta:
        verbose_name = _("statistics cell")
        verbose_name_plural = _("statistics cells")
        constraints = [
            models.UniqueConstraint(fields=list(DIMENSIONS), name="stats_cell_unique"),
            models.CheckConstraint(condition=Q(passed__lte=models.F("applications")), name="stats_cell_passed_le_apps"),
        ]

    def __str__(self) -> str:
        return "/".join(str(getattr(self, d) or "*") for d in DIMENSIONS)


class StatsRefresh(models.Model):
    """One recomputation of the aggregate tables: when, how long, from how many rows."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("figures as of"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    source_applications = models.PositiveIntegerField(_("applications read"))
    source_certificates = models.PositiveIntegerField(_("valid certificates read"))
    cells = models.PositiveIntegerField(_("cells written"))
    years = models.JSONField(_("years"), default=list, blank=True)
    source_version = models.CharField(_("version of the source tables read"), max_length=80, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))

    class Meta:
        ordering = ["-finished_at", "-pk"]
        get_latest_by = "finished_at"
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.cells})"
