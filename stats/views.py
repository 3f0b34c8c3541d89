"""Statistics pages: figures for the regional bureau, supervisors and each
prefecture's bureau, SVG charts and an Excel download of every table."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import NotAllowed, NotFound
from portal.models import Role
from portal.views_helpers import role_required, run
from stats import charts, excel, selectors, services
from stats.forms import StatsFilterForm

ROLES = (Role.BUREAU_OFFICER, Role.SUPERVISOR)


def table_titles() -> dict[str, str]:
    return {"prefecture": _("Prefecture"), "series": _("Series"), "level": _("Level"), "pathway": _("Pathway"),
            "ownership": _("Enterprise ownership"), "year": _("Year")}


def as_of_text(refresh) -> str:
    return timezone.localtime(refresh.finished_at).strftime("%Y-%m-%d %H:%M") if refresh else _("never refreshed")


def filters_text(filters: dict, labels: selectors.Labels) -> str:
    titles = {"year": _("Year"), "series": _("Series"), "level": _("Level"), "pathway": _("Pathway"),
              "ownership": _("Enterprise ownership")}
    parts = [f"{titles[k]}: {labels.label(k, v)}" for k, v in filters.items() if v]
    return "; ".join(parts) or _("none")


def scope_text(scope: selectors.StatsScope) -> str:
    if scope.region:
        return scope.region_name
    return _("Whole autonomous region")


def _resolve(request):
    """Scope, labels, validated filters and the latest refresh of this request."""
    try:
        scope = selectors.stats_scope_for_user(user=request.user, prefecture=request.GET.get("prefecture", ""))
    except NotFound:
        raise Http404
    except NotAllowed:
        raise PermissionDenied
    request.stats_updating = services.stats_freshen()
    refresh = selectors.latest_refresh()
    labels = selectors.stats_labels(refresh=refresh)
    form = StatsFilterForm(request.GET, labels=labels)
    return scope, labels, form, form.filters(), refresh


def _query(scope, filters: dict) -> str:
    data = {k: v for k, v in filters.items() if v}
    if scope.whole and scope.region:
        data["prefecture"] = scope.region
    return urlencode(data)


@role_required(*ROLES)
def stats_index(request):
    scope, labels, form, filters, refresh = _resolve(request)
    bad = form.bad_values()
    if bad:
        messages.error(request, _("Ignored a filter with a value that is not valid: %(fields)s.")
                       % {"fields": ", ".join(bad)})
    names = [t for t in selectors.TABLES if t != "prefecture" or (scope.whole and not scope.region)]
    figures = selectors.stats_figures(scope=scope, filters=filters, labels=labels, tables=names)
    titles = table_titles()
    query = _query(scope, filters)
    tables = [{"name": n, "title": titles[n], "rows": figures["tables"][n]} for n in names]
    measures = [("applications", _("Applications")), ("passed", _("Passes"))]
    headline_table = "prefecture" if "prefecture" in names else "series"
    chart_rows = figures["tables"][headline_table]
    bars = charts.bar_chart(
        chart_rows, measures=measures + [("certificates", _("Certificates"))],
        title=_("Applications, passes and certificates by %(dimension)s") % {"dimension": titles[headline_table]},
        desc=_("Scope: %(scope)s. Filters: %(filters)s. Figures as of %(as_of)s.")
        % {"scope": scope_text(scope), "filters": filters_text(filters, labels), "as_of": as_of_text(refresh)},
        testid="chart-bars")
    years = list(reversed(figures["tables"]["year"]))
    columns = charts.column_chart(
        years, measures=measures, title=_("Applications and passes by year"),
        desc=_("Scope: %(scope)s. Filters: %(filters)s. Figures as of %(as_of)s.")
        % {"scope": scope_text(scope), "filters": filters_text(filters, labels), "as_of": as_of_text(refresh)},
        testid="chart-years")
    return render(request, "stats/index.html", {
        "scope": scope, "scope_text": scope_text(scope), "form": form, "filters": filters, "refresh": refresh,
        "updating": request.stats_updating,
        "as_of": as_of_text(refresh), "headline": figures["headline"], "tables": tables, "query": query,
        "bars": bars, "columns": columns, "can_refresh": services.can_see_whole_region(request.user),
        "filters_text": filters_text(filters, labels), "excel_columns": excel.columns(),
        "prefectures": [(code, labels.label("region", code)) for code in scope.regions] if scope.whole else [],
    })


@role_required(*ROLES)
def stats_export(request, table: str):
    if table not in selectors.TABLES:
        raise Http404
    scope, labels, form, filters, refresh = _resolve(request)
    figures = selectors.stats_figures(scope=scope, filters=filters, labels=labels, tables=[table])
    rows = figures["tables"][table]
    title = _("Title statistics by %(dimension)s") % {"dimension": table_titles()[table]}
    content = excel.table_workbook(title=title, dimension_label=table_titles()[table], rows=rows,
                                   total=figures["headline"], scope=scope_text(scope),
                                   filters=filters_text(filters, labels), as_of=as_of_text(refresh))
    services.stats_export_record(actor=request.user, table=table,
                                 filters={**filters, "prefecture": scope.region}, rows=len(rows))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="stats-{table}.xlsx"'
    return response


@require_POST
@role_required(*ROLES)
def stats_refresh(request):
    if not services.can_see_whole_region(request.user):
        raise PermissionDenied
    run(request, services.stats_refresh_request, actor=request.user,
        success=_("The statistics were recomputed (or will be in a moment, when a worker runs it)."))
    return redirect("stats-index")
