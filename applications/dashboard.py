"""The applicant's dashboard's cards and open calls as HTML, built with ``format_html`` (issue 15).

The template engine spent more CPU on each card (three included partials, a dozen translated labels,
date filters) than the rest of the page; here each card is written from plain values, as the
secretary's dashboard writes its rows (``review.views._dashboard_rows_html``). The markup is that of
``dashboard.html`` and of the partials ``_deadline.html``, ``_stages.html`` and ``_timeline.html``,
byte for byte: ``tests/applications/test_dashboard_html.py`` renders those templates beside these
functions and compares. Escaping is the template's: every value passes through ``format_html``
(``conditional_escape``, as autoescape), while the labels a template writes with ``{% translate %}``,
``{% blocktranslate %}`` or ``_("…")`` are its own text and are not escaped (``_raw``)."""

from __future__ import annotations

import datetime as dt

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from applications import selectors
from applications.models import ApplicationStatus
from portal.models import name_in_language
from portal.templatetags.bidi import bdi
from portal.views_helpers import link_prefix

#: Per language: the labels of the page, translated once per process (as base.html's frame).
_labels: dict[str | None, dict] = {}
#: Per (language, channel, status, returned from): the stages' list (it depends on nothing else).
_stages: dict[tuple, SafeString] = {}
#: Per (language, time zone, script prefix, calls shown): the open calls' list.
_calls: dict[tuple, SafeString] = {}


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    """A setting changed (tests): languages or URLs may render otherwise."""
    _labels.clear()
    _stages.clear()
    _calls.clear()


def _raw(text) -> SafeString:
    """A label as a template writes it with ``{% translate %}``: its own text, not escaped."""
    return mark_safe(str(text))  # noqa: S308 - the translation catalogue's text, as the template's


def labels() -> dict:
    language = get_language()
    found = _labels.get(language)
    if found is None:
        found = _labels[language] = {
            "details": _raw(gettext("Details")), "correct": _raw(gettext("Correct")),
            "continue": _raw(gettext("Continue")), "timeline": _raw(gettext("Timeline")),
            "stages": _raw(gettext("Stages")), "overdue": _raw(gettext("overdue")),
            "days": _raw(pgettext("countdown", "days")), "hours": _raw(pgettext("countdown", "hours")),
            "left": _raw(pgettext("countdown", "left")), "nothing": _raw(gettext("Nothing yet.")),
            "system": _raw(gettext("system")), "open_calls": _raw(gettext("Open calls")),
            "closes": _raw(gettext("closes")), "apply": _raw(gettext("Apply")),
            "statuses": {value: str(label) for value, label in ApplicationStatus.choices},
        }
        if len(_labels) > 64:  # a handful of languages; never grows without bound
            _labels.clear()
    return found


def links() -> tuple[str, str, str]:
    """The prefixes of an application's page, its editing page and a call's start page: one reverse
    each per process (``link_prefix``) rather than ``{% url %}`` per card."""
    return (link_prefix("application-detail"), link_prefix("application-edit", [0, "basics"], tail="0/edit/basics/"),
            link_prefix("application-start"))


def _date(value: dt.datetime) -> SafeString:
    """``value|date:"Y-m-d H:i"|bdi`` in the current time zone (the same filter: one line, isolated)."""
    value = timezone.localtime(value)
    return bdi(f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}")


# --- _deadline.html -----------------------------------------------------------------------------

_DEADLINE = ('<span class="badge {}" data-testid="deadline">{}: {} · <span data-deadline="{}" '
             'data-overdue-text="{}" data-days-text="{}" data-hours-text="{}" data-left-text="{}">{}</span></span>')


def deadline_html(deadline: selectors.Deadline | None, texts: dict) -> SafeString:
    """``_deadline.html`` (without the newline that ends the file)."""
    if not deadline:
        return mark_safe("")
    overdue = deadline.overdue
    days = deadline.days_left
    badge = "text-bg-danger" if overdue else ("text-bg-warning" if days <= 3 else "text-bg-light")
    if overdue:
        left = texts["overdue"]
    else:  # {% blocktranslate count %}: the catalogue's text, the number escaped into it
        left = _raw(ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days})
    return format_html(_DEADLINE, badge, deadline.label, _date(deadline.at),
                       timezone.localtime(deadline.at).isoformat(), texts["overdue"], texts["days"],
                       texts["hours"], texts["left"], left)


# --- _stages.html -------------------------------------------------------------------------------

def stages_html(*, channel: str, status: str, returned_from: str, texts: dict) -> SafeString:
    """``_stages.html`` for these values (kept per language: a few dozen combinations at most)."""
    key = (get_language(), channel, status, returned_from)
    found = _stages.get(key)
    if found is None:
        items = [format_html('<li class="app-stage app-stage-{}"{}>{}</li>', stage["state"],
                             mark_safe(' aria-current="step"') if stage["state"] == "current" else "",
                             stage["label"])
                 for stage in selectors.stages_of(channel=channel, status=status, returned_from=returned_from)]
        found = format_html('<ol class="app-stages list-unstyled d-flex flex-wrap gap-1 mb-2" aria-label="{}">\n'
                            '{}\n</ol>\n', texts["stages"], mark_safe("".join(items)))  # noqa: S308 - format_html's
        if len(_stages) > 4096:
            _stages.clear()
        _stages[key] = found
    return found


# --- _timeline.html -----------------------------------------------------------------------------

_EVENT = ('<li class="mb-2">\n  <div class="small text-secondary">{} · {}</div>\n  <div>{}{}</div>\n'
          '  {}\n</li>')


def timeline_html(rows: list[dict], texts: dict) -> SafeString:
    """``_timeline.html`` for ``selectors.timeline_rows``."""
    items = []
    for row in rows:
        event = row["event"]
        reason = (format_html(' — <span class="text-secondary">{}</span>', event.reason)
                  if event.reason else "")
        corrections = (format_html('<ul class="small mb-0">{}</ul>', mark_safe("".join(  # noqa: S308 - format_html's
            format_html("<li><strong>{}</strong> {}</li>", c["label"], c["message"]) for c in row["corrections"])))
            if row["corrections"] else "")
        items.append(format_html(_EVENT, _date(event.created_at), event.actor_label or texts["system"],
                                 row["label"], reason, corrections))
    if not items:
        items.append(format_html('<li class="text-secondary">{}</li>', texts["nothing"]))
    return format_html('<ol class="app-timeline list-unstyled mb-0" data-testid="timeline">\n{}\n</ol>\n',
                       mark_safe("".join(items)))  # noqa: S308 - each item from format_html


# --- dashboard.html's cards ---------------------------------------------------------------------

_CARD = ('\n<div class="card mb-3" data-testid="application-card">\n'
         '  <div class="card-body">\n'
         '    <div class="d-flex justify-content-between flex-wrap gap-2">\n'
         '      <div>\n'
         '        <h2 class="h5 mb-1"><a href="{}">{}</a> <span class="text-secondary small">{} · {} · {}</span></h2>\n'
         '        <span class="status-badge app-status-{}">{}</span> {}\n\n'
         '      </div>\n'
         '      <div class="text-end">\n'
         '        {}\n'
         '        <a class="btn btn-sm btn-outline-secondary" href="{}">{}</a>\n'
         '      </div>\n'
         '    </div>\n'
         '    <div class="mt-2">{}</div>\n'
         '    <details class="small"><summary>{}</summary>{}</details>\n'
         '  </div>\n'
         '</div>\n')


def cards_html(applications: list[selectors.DashboardApplication],
               events: dict[int, list[selectors.TimelineEvent]]) -> SafeString:
    """The cards of ``selectors.applicant_dashboard``'s applications, as ``dashboard.html`` wrote them
    ("" when there is none: the template then shows its invitation)."""
    texts = labels()
    detail, edit, _start = links()
    now = timezone.now()
    html = []
    for a in applications:
        url = f"{detail}{a.pk}/"
        if a.status in ("draft", "returned"):
            edit_link = format_html('<a class="btn btn-sm btn-outline-danger" href="{}">{}</a>',
                                    f"{edit}{a.pk}/edit/basics/",
                                    texts["correct"] if a.status == "returned" else texts["continue"])
        else:
            edit_link = ""
        deadline = selectors.deadline_of(status=a.status, closes_at=a.call_closes_at,
                                         correction_due_on=a.correction_due_on,
                                         publicity_ends_on=a.publicity_ends_on, now=now)
        html.append(format_html(
            _CARD, url, a.title_display, name_in_language(*a.series_names), name_in_language(*a.specialty_names),
            a.call_display, a.status, texts["statuses"].get(a.status, a.status), deadline_html(deadline, texts),
            edit_link, url, texts["details"],
            stages_html(channel=a.channel, status=a.status, returned_from=a.returned_from, texts=texts),
            texts["timeline"], timeline_html(selectors.timeline_rows(events[a.pk], milestones_only=True), texts)))
    return mark_safe("".join(html))  # noqa: S308 - each card from format_html, every value escaped


# --- dashboard.html's open calls ----------------------------------------------------------------

_CALL = ('<a class="list-group-item list-group-item-action d-flex flex-wrap justify-content-between gap-2" '
         'href="{}"><span><span class="fw-semibold">{}</span> · {}</span><span class="small text-secondary">'
         '{} {} · <span class="text-danger">{} <span class="dir-arrow" aria-hidden="true">→</span></span></span></a>')


def open_calls_html(calls: list[dict]) -> SafeString:
    """The open calls (``selectors.open_calls_list``) under their heading; "" when none is open. The
    list is the same for every applicant: kept per language, time zone and calls shown."""
    if not calls:
        return mark_safe("")
    key = (get_language(), timezone.get_current_timezone(), get_script_prefix(),
           *((call["pk"], call["name"], call["closes_at"], call["series"]) for call in calls))
    found = _calls.get(key)
    if found is None:
        if len(_calls) >= 256:
            _calls.clear()
        found = _calls[key] = _open_calls_html(calls)
    return found


def _open_calls_html(calls: list[dict]) -> SafeString:
    texts = labels()
    start = links()[2]
    items = mark_safe("".join(format_html(_CALL, f"{start}{call['pk']}/", call["name"], call["series"],  # noqa: S308
                                          texts["closes"], _date(call["closes_at"]), texts["apply"])
                              for call in calls))
    return format_html('<h2 class="h6 mt-4">{}</h2>\n<div class="list-group" data-testid="open-calls">{}</div>',
                       texts["open_calls"], items)
