"""The statistics API: the same aggregates and scoping as the page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import HasRole
from portal.errors import InvalidInput, NotFound
from portal.models import Role
from stats import selectors, services
from stats.forms import FILTERS, StatsFilterForm
from stats.serializers import StatsOverviewOutput, StatsTableOutput


class IsStatsViewer(HasRole):
    roles = (Role.BUREAU_OFFICER, Role.SUPERVISOR)


PARAMETERS = [
    OpenApiParameter("prefecture", str, description="Region code of one prefecture (whole-region viewers only; "
                                                    "a prefecture bureau sees only its own)."),
    OpenApiParameter("year", int, description="Year of the call."),
    OpenApiParameter("series", str, description="Series code, e.g. engineering."),
    OpenApiParameter("level", str, description="Level code, e.g. intermediate."),
    OpenApiParameter("pathway", str, description="Pathway code, e.g. regular."),
    OpenApiParameter("ownership", str, description="Employer ownership: private, state, …, none (no employer)."),
]


def _resolve(request):
    scope = selectors.stats_scope_for_user(user=request.user, prefecture=request.query_params.get("prefecture", ""))
    request.stats_updating = services.stats_freshen()
    refresh = selectors.latest_refresh()
    labels = selectors.stats_labels(refresh=refresh)
    form = StatsFilterForm(request.query_params, labels=labels)
    if not form.is_valid():
        name = next(n for n in FILTERS if n in form.errors)
        raise InvalidInput(_("Not a valid value for %(field)s.") % {"field": form.fields[name].label}, field=name)
    return scope, labels, form.filters(), refresh


def _head(scope, filters, refresh, updating: bool = False) -> dict:
    return {"as_of": refresh.finished_at if refresh else None, "updating": updating,
            "scope": {"whole_region": scope.whole, "prefecture": scope.region,
                      "name": scope.region_name if scope.region else _("Whole autonomous region")},
            "filters": filters}


class StatsOverviewApi(APIView):
    """Headline and every table, for the user's scope and the filters."""

    permission_classes = [IsStatsViewer]

    @extend_schema(operation_id="stats_overview", summary="Title statistics: headline and every table",
                   parameters=PARAMETERS, responses=StatsOverviewOutput)
    def get(self, request):
        scope, labels, filters, refresh = _resolve(request)
        figures = selectors.stats_figures(scope=scope, filters=filters, labels=labels)
        return Response(StatsOverviewOutput({**_head(scope, filters, refresh, request.stats_updating), **figures}).data)


class StatsTableApi(APIView):
    """One table (prefecture, series, level, pathway, ownership or year)."""

    permission_classes = [IsStatsViewer]

    @extend_schema(operation_id="stats_table", summary="Title statistics: one table", parameters=PARAMETERS,
                   responses=StatsTableOutput)
    def get(self, request, table: str):
        if table not in selectors.TABLES:
            raise NotFound(_("No such table."))
        scope, labels, filters, refresh = _resolve(request)
        figures = selectors.stats_figures(scope=scope, filters=filters, labels=labels, tables=[table])
        return Response(StatsTableOutput({**_head(scope, filters, refresh, request.stats_updating), "table": table,
                                          "rows": figures["tables"][table], "total": figures["headline"]}).data)
