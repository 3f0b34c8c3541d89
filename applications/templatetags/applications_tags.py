"""Names for the codes the application pages show (materials, correction targets)."""

from __future__ import annotations

from django import template

from applications.corrections import material_name as _material_name
from applications.corrections import target_label

register = template.Library()


@register.filter
def material_name(code: str) -> str:
    """``work_summary`` → "Work summary" (never the code)."""
    return _material_name(code)


@register.filter
def target_name(code: str) -> str:
    """A correction's target in words: a field, the achievements, a material,
    one achievement or one file (named "an achievement", "a file" when only
    the code is at hand; pages that have the content use its titles)."""
    return target_label(code)


def _choices(kind: str) -> dict:
    from applications.choices import Channel, Education, Pathway, SkillLevel
    from applications.models import Level

    return dict({"level": Level, "education": Education, "skill": SkillLevel, "pathway": Pathway,
                 "channel": Channel}[kind].choices)


@register.filter
def code_name(code: str, kind: str) -> str:
    """A stored code in words: ``{{ e.level|code_name:"education" }}`` → "本科" / "Bachelor's degree"
    (kinds: level, education, skill, pathway, channel). An unknown code shows as it is."""
    return str(_choices(kind).get(code, code)) if code else ""


@register.filter
def qualification_name(code: str) -> str:
    """A qualification's code (as a frozen profile keeps it) → its name in the active language."""
    from applications.models import Qualification

    qualification = Qualification.objects.filter(code=code).first() if code else None
    return qualification.display_name if qualification else (code or "")


@register.filter
def level_names(codes) -> str:
    """A list of level codes (``["junior", "deputy_senior"]``) → "助理级、副高级" / "Junior, Deputy senior"."""
    from django.utils.translation import gettext as _

    labels = _choices("level")
    return _(", ").join(str(labels.get(code, code)) for code in codes or ())


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if mapping else None


@register.filter
def condition_message(line: dict) -> str:
    """A frozen condition line in the reader's language (``message_en`` / ``message_ug`` /
    ``message_zh``), else the Chinese it was frozen with (an application frozen before the Uyghur
    wording was kept shows its Chinese, a proper official text)."""
    from django.utils.translation import get_language

    if not isinstance(line, dict):
        return ""
    language = (get_language() or "").split("-")[0]
    key = {"en": "message_en", "ug": "message_ug"}.get(language, "message_zh")
    return line.get(key) or line.get("message_zh") or line.get("message", "")


@register.filter
def held_title(row: dict) -> str:
    """A title held as a frozen profile keeps it (``{"series", "level", "title"}``), in the page's
    language when it is the catalogue's title (``applications.title_names``)."""
    from applications.title_names import title_in_language

    return title_in_language(series_id=row.get("series"), level=row.get("level") or "", stored=row.get("title") or "",
                             same_name_only=True)
