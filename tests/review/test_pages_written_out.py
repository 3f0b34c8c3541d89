"""Issue 15: parts of the expert's dashboard and of the secretary's application page are written
out in Python (or kept once per language by ``{% shell %}``) instead of rendered node by node. Each
is checked here against the template text it replaced, byte for byte, in every language, with the
values that test escaping and formatting: names with ``<``, ``&`` and quotes, a Uyghur name with
its middle dot, empty and missing values, a zero total, blind calls, drafts and submitted scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from review import views
from review.models import Score

LANGUAGES = ["zh-hans", "ug", "en"]
TOKEN = "tok<&>" + "x" * 58  # a CSRF token as the page's, escaped where it is written

# templates/review/expert_home.html's rows as they were rendered by the template engine.
EXPERT_ROWS = (
    '{% load i18n %}'
    '{% translate "(blind)" as blind_label %}{% translate "Score" as score_label %}{% translate "View" as view_label %}'
    '{% translate "Declare a conflict" as declare_label %}{% translate "What is the conflict of interest?" as '
    'conflict_label %}{% translate "Declare and step aside" as step_aside_label %}\n'
    '{% for a in rows %}<tr>\n'
    '  <td>{{ a.application_id }}</td>\n'
    '  <td>{% if a.blind %}<span class="text-secondary">{{ blind_label }}</span>{% else %}{{ a.applicant }}{% endif %}'
    '</td>\n'
    '  <td>{% if a.blind %}<span class="text-secondary">{{ blind_label }}</span>{% else %}'
    '{{ a.employer|default:"—" }}{% endif %}</td>\n'
    '  <td>{{ a.title_name }} · {{ a.specialty }}</td>\n'
    '  <td>{% if a.has_score %}{{ a.total|default:"—" }} · {{ a.status }}{% else %}—{% endif %}</td>\n'
    '  <td class="text-end">\n'
    '    <a class="btn btn-sm btn-danger" href="{{ a.url }}">{% if a.scored %}{{ view_label }}{% else %}'
    '{{ score_label }}{% endif %}</a>\n'
    '    {% if not a.scored %}<details class="d-inline-block text-start"><summary class="btn btn-sm '
    'btn-outline-secondary">{{ declare_label }}</summary>\n'
    '      <form method="post" class="mt-2">{% csrf_token %}<input type="hidden" name="assignment" value="{{ a.pk }}">'
    '<textarea class="form-control form-control-sm mb-1" name="reason" rows="2" required '
    'aria-label="{{ conflict_label }}"></textarea><button class="btn btn-sm btn-outline-danger">{{ step_aside_label }}'
    '</button></form></details>{% endif %}\n'
    '  </td>\n'
    '</tr>{% empty %}<tr><td colspan="6" class="text-secondary">{% translate "Nothing assigned to you." %}</td></tr>'
    '{% endfor %}')


def expert_rows() -> list[dict]:
    labels = dict(Score.Status.choices)
    base = {"title_name": "工程师", "specialty": "电气工程", "blind": False, "employer": "新疆<某>公司 & Co",
            "applicant": "张三", "has_score": False, "total": None, "status": "", "scored": False}
    variants = [
        {},
        {"applicant": 'ئەخمەت·قادىر "<b>"', "employer": None, "title_name": "O'Brien & <i>", "specialty": "a·b"},
        {"employer": "", "has_score": True, "status": labels[Score.Status.DRAFT]},
        {"has_score": True, "total": Decimal("85.50"), "status": labels[Score.Status.SUBMITTED], "scored": True},
        {"has_score": True, "total": Decimal("0.00"), "status": labels[Score.Status.SUBMITTED], "scored": True},
        {"has_score": True, "total": Decimal("100.00"), "status": labels[Score.Status.SUBMITTED], "scored": True,
         "blind": True},
        {"blind": True, "applicant": "<script>", "employer": None},
        {"applicant": None, "specialty": ""},
    ]
    return [{**base, **v, "pk": 1000 + i, "application_id": 123456 + i,
             "url": f"/review/expert/assignments/{1000 + i}/"} for i, v in enumerate(variants)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_expert_dashboard_rows_written_out_render_as_the_template_did(language):
    template = engines["django"].from_string(EXPERT_ROWS)
    with translation.override(language):
        for rows in (expert_rows(), expert_rows()[:1], []):
            expected = template.render({"rows": rows, "csrf_token": TOKEN})
            assert "\n" + views._expert_rows_html(rows, TOKEN) == expected
