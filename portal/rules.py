"""The rules the portal enforces (docs: domain.md, after notice 新人社发〔2023〕70号), in words, for the
public page ``/rules/`` that every rule number on a page links to (issue 12 §1: a rule number is a
small link to its text, never the only word about what is wrong)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

GROUPS = [
    ("R1", _("Channels for applying")),
    ("R2", _("Evaluation committees")),
    ("R3", _("Standards")),
    ("R4", _("Methods of evaluation")),
    ("R5", _("Service to applicants")),
    ("R6", _("Supervision")),
]

RULES = {
    "R1.1": _("You apply in the region where your employment is; the portal takes it from your confirmed "
              "employment."),
    "R1.2": _("Household registration, origin, identity, personnel file or ownership of the employer never "
              "block an application."),
    "R1.3": _("An enterprise opens a title-work account, which the HR bureau of its region approves."),
    "R1.4": _("Associations, learned societies and bodies a bureau designates may accept applications; "
              "freelancers apply through a talent service agency or an acceptance body."),
    "R1.5": _("Where a region has no committee for a series or specialty, another committee evaluates by "
              "entrustment, as the call records."),
    "R1.6": _("Committees not built for one unit accept applicants from private enterprises on equal terms."),
    "R1.7": _("A professional of a university, research institute or hospital on approved leave to work in an "
              "enterprise may apply at the original unit within 3 years; the enterprise work counts."),
    "R1.8": _("A professional sent to another region for over a year may apply in that region."),
    "R2.1": _("A committee is filed with a scope (one series, specialties, levels, regions or units) and "
              "accepts only applications inside it."),
    "R2.2": _("Committees are set up by a bureau, an industry authority, a social organisation, a large private "
              "enterprise, or several enterprises jointly."),
    "R2.3": _("A committee's filing is valid for at most 3 years; a lapsed, suspended or revoked committee may "
              "not open calls or evaluate."),
    "R2.4": _("Results of enterprise and social-organisation committees are filed with the bureau after the "
              "evaluation."),
    "R2.5": _("A senior committee has at least 25 experts for a series, or 11 for one specialty, and an odd "
              "number of members."),
    "R2.6": _("Experts hold a title of the same series at or above the level evaluated, work in the field and "
              "serve terms of at most 3 years."),
    "R3.1": _("Papers are never required of applicants from private enterprises."),
    "R3.2": _("Patents, technical breakthroughs, process flows, standards and achievement transformation count "
              "as achievements, with their evidence."),
    "R3.3": _("Continuing education is not required of an applicant from a private enterprise applying for the "
              "first time."),
    "R3.4": _("HR bureaus add specialties and their conditions."),
    "R3.5": _("The conditions of each series and level (education and years at the level below) are kept as "
              "data; every unmet condition is explained."),
    "R3.6": _("Normally one level at a time; an exceptional contribution may apply one level higher with two "
              "recommendations from full-senior experts."),
    "R4.1": _("A call names its methods: exam, review, defence, recognition, practical operation or "
              "performance demonstration."),
    "R4.2": _("A call may be a separate group or a special evaluation for private enterprises."),
    "R4.3": _("Green channel: special talent of a private enterprise applies directly for a senior title, "
              "without the years otherwise required."),
    "R4.4": _("Recognition by the bureau for bachelor's degrees and above: a degree and the years after it "
              "lead directly to a junior or intermediate title."),
    "R4.5": _("An enterprise postdoc with a postdoctoral foundation grant or a provincial project, who stays "
              "in the enterprise, is recognised at the deputy senior level."),
    "R4.6": _("Highly skilled workers cross over: senior worker, technician and senior technician with years "
              "of work lead to junior, intermediate and deputy senior titles."),
    "R4.7": _("A professional qualification counts as the title level it matches."),
    "R5.1": _("Materials the portal already holds are never asked for again."),
    "R5.2": _("Experts evaluate in the browser; defences may be held remotely; a submitted score is locked."),
    "R5.3": _("Every granted title gets an electronic certificate that anyone can verify."),
    "R5.4": _("Enterprises see their employees' titles for their own HR decisions."),
    "R5.5": _("The employer publicises an application for at least 5 working days before forwarding it."),
    "R5.6": _("Results are publicised for at least 5 working days, counted on the official calendar."),
    "R6.1": _("The HR bureau audits each applicant's qualification before the evaluation."),
    "R6.2": _("Every step is recorded with who, when and what changed, so that any result can be traced back; "
              "the record cannot be altered unseen."),
    "R6.3": _("Applicants sign an integrity pledge; fraud revokes the title and bars the person from applying "
              "for 3 years."),
    "R6.4": _("A committee works only within its scope; a person has at most one live application per series "
              "and year."),
    "R6.5": _("At a meeting at least two thirds of the committee are present; the ballot is secret; a candidate "
              "passes with yes votes of at least two thirds of those present; no proxy votes."),
    "R6.6": _("An expert with an interest in a candidate is recused and never sees that application."),
    "R6.7": _("Each call has a pass-rate ceiling over all its meetings: the allowed passes are the ceiling times "
              "the call's candidates, rounded half up, shown before the vote."),
    "R6.8": _("Sanctions on a committee: reminder, interview, suspension, order to rectify, public criticism, "
              "withdrawal of authority."),
    "R6.9": _("A committee records any fee it charges, and the bureau sees it; no fees for profit."),
    "R6.10": _("Objections raised during publicity are answered before a result is filed; an upheld objection "
               "withdraws the result."),
}

RULE_ID = re.compile(r"\bR([1-6])\.(\d{1,2})\b")


def anchor(rule: str) -> str:
    """``R3.3`` → ``R3-3`` (the id of its line on the rules page)."""
    return rule.replace(".", "-")


def rule_link(rule: str):
    """A rule number as a small link to its text (``/rules/#R3-3``); an unknown one stays as it is."""
    rule = (rule or "").strip()
    if rule not in RULES:
        return rule
    return format_html('<a class="rule-link small" href="{}#{}" title="{}">{}</a>', reverse("rules"),
                       anchor(rule), RULES[rule], rule)


def rules_by_group() -> list[dict]:
    return [{"code": code, "title": title,
             "rules": [{"id": rule, "anchor": anchor(rule), "text": text} for rule, text in RULES.items()
                       if rule.split(".")[0] == code]}
            for code, title in GROUPS]
