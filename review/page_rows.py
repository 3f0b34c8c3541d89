"""Rows of the review pages written out in Python (issue 15): the expert's dashboard's assignments
and the secretary's application page's experts. Rendering them node by node through the template
engine (a dozen variables, conditions and translated labels a row, a form on many) cost more than
the rest of the page; here each is the template's markup, every value escaped as the template
escaped it (``format_html``), the labels translated once a page, and a row's forms carrying the
page's CSRF token (the view passes the same token to the template, so the page holds one, as
before). ``tests/review/test_pages_written_out.py`` holds them byte for byte to the templates they
replaced, in every language."""

from __future__ import annotations

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# One row of the expert's dashboard, built with format_html (every value escaped as the template
# escaped it) rather than by the template engine, as the call dashboard's rows (issue 15). The
# markup is the template's; ``_EXPERT_DECLARE`` is the conflict form of a row not yet scored.
_EXPERT_ROW = ('<tr>\n  <td>{}</td>\n  <td>{}</td>\n  <td>{}</td>\n  <td>{} · {}</td>\n  <td>{}</td>\n'
               '  <td class="text-end">\n    <a class="btn btn-sm btn-danger" href="{}">{}</a>\n    {}\n'
               '  </td>\n</tr>')
_EXPERT_DECLARE = ('<details class="d-inline-block text-start"><summary class="btn btn-sm btn-outline-secondary">{}'
                   '</summary>\n      <form method="post" class="mt-2">{}<input type="hidden" name="assignment" '
                   'value="{}"><textarea class="form-control form-control-sm mb-1" name="reason" rows="2" required '
                   'aria-label="{}"></textarea><button class="btn btn-sm btn-outline-danger">{}</button></form>'
                   '</details>')


def expert_rows_html(rows: list[dict], csrf_token: str) -> str:
    """The expert's dashboard rows (from ``selectors.expert_queue_page``, each with its ``url``) as
    safe HTML, the conflict forms with the page's CSRF token."""
    if not rows:
        return format_html('<tr><td colspan="6" class="text-secondary">{}</td></tr>', _("Nothing assigned to you."))
    blind = format_html('<span class="text-secondary">{}</span>', _("(blind)"))
    score_label, view_label = pgettext("button", "Score"), _("View")  # the verb: نومۇر قويۇش, not نومۇر
    declare_label, conflict_label, step_aside_label = (_("Declare a conflict"), _("What is the conflict of interest?"),
                                                        _("Declare and step aside"))
    csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    html = []
    for a in rows:
        score = (format_html("{} · {}", formats.localize(a["total"]) if a["total"] else "—", a["status"])
                 if a["has_score"] else "—")
        declare = ("" if a["scored"] else
                   format_html(_EXPERT_DECLARE, declare_label, csrf_input, a["pk"], conflict_label, step_aside_label))
        html.append(format_html(_EXPERT_ROW, a["application_id"], blind if a["blind"] else a["applicant"],
                                blind if a["blind"] else (a["employer"] or "—"), a["title_name"], a["specialty"],
                                score, a["url"], view_label if a["scored"] else score_label, declare))
    return mark_safe("".join(html))  # noqa: S308 - each row from format_html, every value escaped


# One row of the secretary's application page's experts, and its redraw form, built with format_html
# as the dashboards' rows are (issue 15). The markup is the template's.
_ASSIGNMENT_ROW = ('<tr>\n    <td>{}</td><td>{}</td>\n    <td>{}</td>\n    <td>{}</td><td class="small">{}</td>\n'
                   '    <td>{}</td>\n  </tr>')
_REDRAW_FORM = ('<form method="post" class="d-flex gap-1">{}<input type="hidden" name="action" value="redraw">'
                '<input type="hidden" name="assignment" value="{}"><input class="form-control form-control-sm" '
                'name="reason" required placeholder="{}" aria-label="{}"><button class="btn btn-sm '
                'btn-outline-danger">{}</button></form>')


def assignment_rows_html(assignments: list[dict], csrf_token: str) -> tuple[str, str]:
    """The secretary's application page's experts (``selectors.application_review_for_secretary``'s
    ``assignments``) as safe HTML: the table's rows, with a redraw form on each active assignment
    not yet scored, and the submitted scores' comments."""
    if not assignments:
        return (format_html('<tr><td colspan="6" class="text-secondary">{}</td></tr>', _("No expert drawn yet.")),
                "")
    reason, redraw = _("Reason for the redraw"), _("Redraw")
    csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    rows, comments = [], []
    for a in assignments:
        scored = a["score__pk"]
        score = (format_html("{} ({})", formats.localize(a["score__total"]) if a["score__total"] else "—",
                             a["score_status_label"]) if scored else "—")
        form = (format_html(_REDRAW_FORM, csrf_input, a["pk"], reason, reason, redraw)
                if a["status"] == "active" and a["score__status"] != "submitted" else "")
        rows.append(format_html(_ASSIGNMENT_ROW, a["expert_name"], a["status_label"], score,
                                a["score_verdict_label"] if scored else "", a["end_reason"], form))
        if a["score__status"] == "submitted":
            comments.append(format_html('<div class="small mb-2"><strong>{}</strong>: {}</div>', a["expert_name"],
                                        a["score__comment"]))
    return (mark_safe("".join(rows)), mark_safe("".join(comments)))  # noqa: S308 - from format_html, escaped
