"""Seed rows of the eligibility engine (loaded by ``eligibility_seed``).

Engineering (regular pathway) follows the base standard for engineering
talent, 人社部发〔2019〕16号 (E16), as summarised in domain.md R3.5. Each
dict is one route: the routes of one series, level and pathway are
alternatives. ``education`` and ``skill_level`` are minimums ("this or
higher"), so "bachelor's or college + 助工 4 years" is one row with
``college``, and "master's or bachelor's + 工程师 5 years" is one row with
``bachelor`` (a master's degree is higher than a bachelor's).

The other pathways come from domain.md (R3.6, R4.3–R4.7) and apply to every
series (``series`` is None) unless a bureau adds rows for one series in the
admin. The seed only creates missing rows (by ``code``): a bureau's edits in
the admin survive a second run.
"""

from __future__ import annotations

from decimal import Decimal

ENGINEERING = "engineering"

# R3.5, E16. 技术员 (assistant_junior): E16 asks for a bachelor's degree, or a
# college or secondary vocational diploma followed by one full year of
# probation in an engineering post (见习1年期满，经考察合格). We encode that
# as "bachelor's or above" or "secondary vocational or above + 1 year of work
# since graduation"; nothing below secondary vocational qualifies (E16:
# 员级 needs secondary vocational or above; 技工院校 graduates follow separate
# national rules that the portal does not model).
ENGINEERING_REGULAR: list[dict] = [
    {"code": "eng-assistant-junior-bachelor", "level": "assistant_junior", "education": "bachelor"},
    {"code": "eng-assistant-junior-secondary-1y", "level": "assistant_junior", "education": "secondary_vocational",
     "years_since_graduation": 1},
    # 助理工程师: master's; bachelor + 1 year; college + 技术员 2 years; secondary vocational + 技术员 4 years.
    {"code": "eng-junior-master", "level": "junior", "education": "master"},
    {"code": "eng-junior-bachelor-1y", "level": "junior", "education": "bachelor", "years_since_graduation": 1},
    {"code": "eng-junior-college-technician-2y", "level": "junior", "education": "college",
     "required_level": "assistant_junior", "years_at_level": 2},
    {"code": "eng-junior-secondary-technician-4y", "level": "junior", "education": "secondary_vocational",
     "required_level": "assistant_junior", "years_at_level": 4},
    # 工程师: doctorate; master's + 助工 2 years; bachelor's or college + 助工 4 years.
    {"code": "eng-intermediate-doctorate", "level": "intermediate", "education": "doctorate"},
    {"code": "eng-intermediate-master-junior-2y", "level": "intermediate", "education": "master",
     "required_level": "junior", "years_at_level": 2},
    {"code": "eng-intermediate-college-junior-4y", "level": "intermediate", "education": "college",
     "required_level": "junior", "years_at_level": 4},
    # 高级工程师: doctorate + 工程师 2 years; master's or bachelor's + 工程师 5 years.
    {"code": "eng-deputy-senior-doctorate-2y", "level": "deputy_senior", "education": "doctorate",
     "required_level": "intermediate", "years_at_level": 2},
    {"code": "eng-deputy-senior-bachelor-5y", "level": "deputy_senior", "education": "bachelor",
     "required_level": "intermediate", "years_at_level": 5},
    # 正高级工程师: bachelor's or above + 高工 5 years.
    {"code": "eng-senior-bachelor-5y", "level": "senior", "education": "bachelor",
     "required_level": "deputy_senior", "years_at_level": 5},
]


def _exceptional(row: dict) -> dict:
    """R3.6 (破格): the same route without its years, one level at a time.

    The years of the normal route are waived; the education and the title
    held stay (so no level is skipped). The two full-senior recommendations
    are a requirement row of the pathway. E16 also lets an exceptional
    applicant lack the education; a bureau that wants that clears the
    education of these rows in the admin.
    """
    return {**{k: v for k, v in row.items() if not k.startswith("years")},
            "code": row["code"].replace("eng-", "eng-exceptional-", 1), "pathway": "exceptional", "rule": "R3.6"}


ROUTES: list[dict] = [
    *({**row, "series": ENGINEERING, "pathway": "regular", "rule": "R3.5"} for row in ENGINEERING_REGULAR),
    *(dict(_exceptional(row), series=ENGINEERING) for row in ENGINEERING_REGULAR),
    # R4.4 recognition (考核认定) for bachelor's and above, every series.
    {"code": "recognition-junior-bachelor-1y", "level": "junior", "pathway": "recognition", "education": "bachelor",
     "years_since_graduation": 1, "rule": "R4.4"},
    {"code": "recognition-junior-master", "level": "junior", "pathway": "recognition", "education": "master",
     "rule": "R4.4"},
    {"code": "recognition-intermediate-master-3y", "level": "intermediate", "pathway": "recognition",
     "education": "master", "years_since_graduation": 3, "rule": "R4.4"},
    {"code": "recognition-intermediate-doctorate", "level": "intermediate", "pathway": "recognition",
     "education": "doctorate", "rule": "R4.4"},
    # R4.3 green channel: directly 副高级 or 正高级, without the years of R3.5.
    {"code": "green-channel-deputy-senior", "level": "deputy_senior", "pathway": "green_channel", "rule": "R4.3"},
    {"code": "green-channel-senior", "level": "senior", "pathway": "green_channel", "rule": "R4.3"},
    # R4.5 enterprise postdoc: directly 副高级 (a postdoc holds a doctorate).
    {"code": "postdoc-deputy-senior", "level": "deputy_senior", "pathway": "postdoc", "education": "doctorate",
     "rule": "R4.5"},
    # R4.6 high-skill crossover.
    {"code": "skills-junior-senior-worker-2y", "level": "junior", "pathway": "skills_crossover",
     "skill_level": "senior_worker", "skill_years": 2, "rule": "R4.6"},
    {"code": "skills-intermediate-technician-3y", "level": "intermediate", "pathway": "skills_crossover",
     "skill_level": "technician", "skill_years": 3, "rule": "R4.6"},
    {"code": "skills-deputy-senior-senior-technician-4y", "level": "deputy_senior", "pathway": "skills_crossover",
     "skill_level": "senior_technician", "skill_years": 4, "rule": "R4.6"},
    # R4.7 qualification correspondence, every level: the qualification must match series and level.
    {"code": "qualification-corresponds", "level": "", "pathway": "qualification", "qualification_match": True,
     "rule": "R4.7"},
]

# The configurable minimum of continuing education in the last year (R3.3
# exempts first-time private-enterprise applicants). 90 hours a year is the
# national rule (专业技术人员继续教育规定, 人社部令第25号, art. 8); a bureau
# changes it in the admin.
CONTINUING_EDUCATION_HOURS = Decimal(90)

REQUIREMENTS: list[dict] = [
    {"code": "exceptional-no-level-skip", "pathway": "exceptional", "kind": "no_level_skip", "rule": "R3.6",
     "order": 10},
    {"code": "exceptional-recommendations", "pathway": "exceptional", "kind": "recommendations", "value": 2,
     "rule": "R3.6", "order": 20},
    {"code": "green-channel-private-enterprise", "pathway": "green_channel", "kind": "private_enterprise",
     "rule": "R4.3", "order": 10},
    {"code": "green-channel-justification", "pathway": "green_channel", "kind": "justification", "rule": "R4.3",
     "order": 20},
    {"code": "green-channel-recommendations", "pathway": "green_channel", "kind": "recommendation_letters",
     "value": 2, "rule": "R4.3", "order": 30},
    {"code": "postdoc-evidence", "pathway": "postdoc", "kind": "postdoc_evidence", "rule": "R4.5", "order": 10},
    {"code": "continuing-education", "pathway": "", "kind": "continuing_education",
     "value": CONTINUING_EDUCATION_HOURS, "rule": "R3.3", "order": 90},
]
