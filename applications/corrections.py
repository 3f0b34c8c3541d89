"""Returns for correction (一次性告知) as people read them: the application's
content when it was returned and when it came back, compared field by
field, achievement by title and file by name; each correction marked done
when what it names changed or the applicant answered it.

Everything here is pure (no writes): ``application_content`` is what
``application_decide`` freezes on a return and ``application_resubmit`` on
the way back (``CorrectionRound.content_before`` / ``content_after``);
``content_changes`` compares two of them; ``round_view`` gives a page what
it shows. Labels are made in the language active when they are read, never
stored: the content holds codes and the applicant's own words only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from applications.models import Achievement, ApplicationStatus

CONTENT_VERSION = 1
#: The fields a return may name and their labels (the order is the form's).
FIELD_NAMES = {
    "specialty": gettext_lazy("Specialty"),
    "summary": gettext_lazy("Professional summary"),
    "justification": gettext_lazy("Justification of special talent"),
}
ACHIEVEMENT_FIELDS = ("kind", "title", "role", "number", "achieved_on", "economic_benefit", "description")
ACHIEVEMENT_FIELD_NAMES = {
    "kind": gettext_lazy("Kind"),
    "title": pgettext_lazy("achievement", "Title"),
    "role": gettext_lazy("Your role"),
    "number": gettext_lazy("Number (patent or standard)"),
    "achieved_on": gettext_lazy("Date"),
    "economic_benefit": gettext_lazy("Economic benefit (10,000 yuan)"),
    "description": gettext_lazy("Description"),
}
#: Text longer than this is compared word by word (character by character in Chinese);
#: the prose fields always are.
LONG_TEXT = 80
PROSE = {"summary", "justification", "description"}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
STAGE_RETURNED_BY = {
    ApplicationStatus.EMPLOYER_REVIEW: gettext_lazy("Returned by the employer"),
    ApplicationStatus.ACCEPTANCE: gettext_lazy("Returned by the acceptance body"),
    ApplicationStatus.QUALIFICATION_AUDIT: gettext_lazy("Returned by the bureau at the qualification audit"),
}


# --- The content a return freezes ------------------------------------------------------

def application_content(application) -> dict:
    """What the reviewers read and a return may name, as plain data: the
    fields, each achievement by id, each file by id with its name, size and
    type. Uses ``achievements`` (with ``evidence``) and ``attachments`` as
    prefetched when they are."""
    achievements, files = {}, {}
    rows = list(application.achievements.all())
    for a in rows:
        achievements[str(a.pk)] = {
            "kind": a.kind, "title": a.title, "role": a.role, "number": a.number,
            "achieved_on": a.achieved_on.isoformat() if a.achieved_on else "",
            "economic_benefit": str(a.economic_benefit) if a.economic_benefit is not None else "",
            "description": a.description}
    if hasattr(application, "materials"):  # prefetched by the detail selector: no query
        attachments = [*application.materials, *(f for a in rows for f in a.evidence.all())]
    else:
        attachments = list(application.attachments.all())
    for f in sorted(attachments, key=lambda f: f.pk):
        files[str(f.pk)] = {"material": f.material, "achievement": f.achievement_id, "name": f.original_name,
                            "size": f.size, "type": f.content_type}
    return {"v": CONTENT_VERSION,
            "fields": {"specialty": application.specialty_id, "summary": application.summary,
                       "justification": application.justification},
            "achievements": achievements, "files": files}


# --- Comparing two contents ------------------------------------------------------------------

@dataclass
class TextPiece:
    op: str  # "equal", "delete", "insert" or "gap" (unchanged text left out)
    text: str


@dataclass
class ValueChange:
    label: str
    before: str
    after: str
    pieces: list[TextPiece] = field(default_factory=list)  # for long text: what was deleted and inserted


@dataclass
class FileInfo:
    name: str
    size: int
    type: str

    @property
    def description(self) -> str:
        """"2.0 MB, PDF": its size and type."""
        kind = TYPE_NAMES.get(self.type) or _("file")
        return _("%(size)s, %(type)s") % {"size": filesizeformat(self.size), "type": kind}


@dataclass
class FileChange:
    action: str  # "added", "removed" or "replaced"
    before: FileInfo | None = None
    after: FileInfo | None = None


@dataclass
class Change:
    """One thing that changed: a field, an achievement or a material's files."""

    kind: str  # "field", "achievement" or "material"
    action: str  # "changed", "added", "removed" (achievements), "files" (a material)
    label: str
    targets: set[str]  # the correction targets this change answers
    values: list[ValueChange] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line: what changed, for lists and notifications."""
        parts = [v.label for v in self.values]
        for f in self.files:
            if f.action == "replaced":
                parts.append(_("%(old)s replaced by %(new)s") % {"old": f.before.name, "new": f.after.name})
            elif f.action == "added":
                parts.append(_("%(name)s added") % {"name": f.after.name})
            else:
                parts.append(_("%(name)s removed") % {"name": f.before.name})
        verb = {"added": _("added"), "removed": _("removed")}.get(self.action)
        head = f"{self.label} ({verb})" if verb else self.label
        return f"{head}: {'; '.join(parts)}" if parts else head


_TOKENS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\W_]+|\s+|.", re.S)


def text_pieces(before: str, after: str, *, context: int = 30) -> list[TextPiece]:
    """What was deleted and inserted, word by word (each CJK character is a
    word); long unchanged stretches keep ``context`` characters each side."""
    a, b = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    if len(a) * len(b) > 4_000_000:  # very long texts: compare line by line
        a, b = (before or "").splitlines(keepends=True), (after or "").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[TextPiece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            text = "".join(a[i1:i2])
            first, last = not pieces, i2 == len(a)
            if len(text) > 2 * context + 10:
                head = "" if first else text[:context]
                tail = "" if last else text[-context:]
                pieces += [p for p in (TextPiece("equal", head), TextPiece("gap", "…"), TextPiece("equal", tail))
                           if p.text]
            else:
                pieces.append(TextPiece("equal", text))
            continue
        if op in ("delete", "replace"):
            pieces.append(TextPiece("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(TextPiece("insert", "".join(b[j1:j2])))
    return pieces


def _value(label, before: str, after: str, *, prose: bool = False) -> ValueChange:
    change = ValueChange(str(label), before, after)
    if (prose and before and after) or len(before) > LONG_TEXT or len(after) > LONG_TEXT \
            or "\n" in before or "\n" in after:
        change.pieces = text_pieces(before, after)
    return change


def _choice_label(choices, code: str) -> str:
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return _("(unknown)")


def _achievement_values(data: dict) -> dict[str, str]:
    return {"kind": _choice_label(Achievement.Kind, data.get("kind", "")),
            "title": data.get("title", ""), "role": _choice_label(Achievement.Role, data.get("role", "")),
            "number": data.get("number", ""), "achieved_on": data.get("achieved_on", ""),
            "economic_benefit": data.get("economic_benefit", ""), "description": data.get("description", "")}


def _file(data: dict) -> FileInfo:
    return FileInfo(data.get("name", ""), int(data.get("size") or 0), data.get("type", ""))


def _file_changes(before: dict[str, dict], after: dict[str, dict]) -> tuple[list[FileChange], set[str]]:
    """Files of one slot (a material, or one achievement's evidence): those
    removed and added, paired as replaced in the order they came; and the
    ``attachment:<id>`` targets of the files that went."""
    removed = [before[k] for k in sorted(before, key=int) if k not in after]
    added = [after[k] for k in sorted(after, key=int) if k not in before]
    changes = [FileChange("replaced", _file(old), _file(new)) for old, new in zip(removed, added, strict=False)]
    changes += [FileChange("removed", before=_file(old)) for old in removed[len(added):]]
    changes += [FileChange("added", after=_file(new)) for new in added[len(removed):]]
    return changes, {f"attachment:{k}" for k in before if k not in after}


def _slots(files: dict[str, dict]) -> dict[tuple, dict[str, dict]]:
    slots: dict[tuple, dict[str, dict]] = {}
    for key, data in files.items():
        slot = ("evidence", data["achievement"]) if data.get("achievement") else ("material", data.get("material"))
        slots.setdefault(slot, {})[key] = data
    return slots


def material_name(code: str) -> str:
    from applications.application_services import MATERIAL_NAMES

    return str(MATERIAL_NAMES.get(code) or _("Other material"))


def content_changes(before: dict, after: dict, *, specialty_names: dict[int, str] | None = None) -> list[Change]:
    """Every difference between two contents of ``application_content``,
    in the order of the page: fields, achievements, materials."""
    names = specialty_names or {}
    changes: list[Change] = []
    fields_before, fields_after = before.get("fields", {}), after.get("fields", {})
    for code, label in FIELD_NAMES.items():
        old, new = fields_before.get(code), fields_after.get(code)
        if old == new or (not old and not new):
            continue
        if code == "specialty":
            value = ValueChange(str(label), names.get(old, "") if old else "", names.get(new, "") if new else "")
        else:
            value = _value(label, old or "", new or "", prose=code in PROSE)
        changes.append(Change("field", "changed", str(label), {code}, values=[value]))

    slots_before, slots_after = _slots(before.get("files", {})), _slots(after.get("files", {}))
    achievements_before, achievements_after = before.get("achievements", {}), after.get("achievements", {})
    for key in sorted(set(achievements_before) | set(achievements_after), key=int):
        old, new = achievements_before.get(key), achievements_after.get(key)
        title = (new or old).get("title", "")
        label = _("Achievement: %(title)s") % {"title": title}
        targets = {"achievements", f"achievement:{key}"}
        files, gone = _file_changes(slots_before.get(("evidence", int(key)), {}),
                                    slots_after.get(("evidence", int(key)), {}))
        targets |= gone
        if old is None or new is None:
            shown = _achievement_values(new or old)
            values = [ValueChange(str(ACHIEVEMENT_FIELD_NAMES[f]), "" if new else shown[f], shown[f] if new else "")
                      for f in ACHIEVEMENT_FIELDS if shown[f]]
            changes.append(Change("achievement", "added" if new else "removed", label, targets, values=values,
                                  files=files))
            continue
        shown_old, shown_new = _achievement_values(old), _achievement_values(new)
        values = [_value(ACHIEVEMENT_FIELD_NAMES[f], shown_old[f], shown_new[f], prose=f in PROSE)
                  for f in ACHIEVEMENT_FIELDS if shown_old[f] != shown_new[f]]
        if values or files:
            changes.append(Change("achievement", "changed", label, targets, values=values, files=files))

    materials = sorted({slot[1] for slot in (*slots_before, *slots_after) if slot[0] == "material"},
                       key=lambda m: (m == "other", str(m)))
    for material in materials:
        files, gone = _file_changes(slots_before.get(("material", material), {}),
                                    slots_after.get(("material", material), {}))
        if files:
            label = _("Material: %(name)s") % {"name": material_name(material)}
            changes.append(Change("material", "files", label, {material, "attachments"} | gone, files=files))
    return changes


# --- Correction targets in words -------------------------------------------------------------------

def target_label(code: str, *, content: dict | None = None, item_title: str = "") -> str:
    """A correction's target in the reader's language: a field, the
    achievements, one achievement by its title, a material, or one file by
    its name; never the code."""
    from applications.application_services import MATERIAL_NAMES

    content = content or {}
    if code in FIELD_NAMES:
        return str(FIELD_NAMES[code])
    if code == "achievements":
        return _("Achievements (add, change or remove)")
    if code == "attachments":
        return _("Files")
    kind, _sep, key = code.partition(":")
    if kind == "achievement":
        title = (content.get("achievements", {}).get(key) or {}).get("title") or item_title
        return _("Achievement: %(title)s") % {"title": title} if title else _("An achievement")
    if kind == "attachment":
        data = content.get("files", {}).get(key) or {}
        name = data.get("name") or item_title
        if not name:
            return _("A file")
        if data.get("achievement"):
            achievement = content.get("achievements", {}).get(str(data["achievement"])) or {}
            return _("File %(name)s (evidence of %(title)s)") % {"name": name, "title": achievement.get("title", "")}
        if data.get("material"):
            return _("File %(name)s (%(material)s)") % {"name": name, "material": material_name(data["material"])}
        return _("File %(name)s") % {"name": name}
    if code in MATERIAL_NAMES:
        return _("Material: %(name)s") % {"name": MATERIAL_NAMES[code]}
    return _("Another part of the application")


def item_title(code: str, content: dict) -> str:
    """The applicant's own name for a target's item (an achievement's title,
    a file's name), kept with the correction in case the item goes."""
    kind, _sep, key = code.partition(":")
    if kind == "achievement":
        return (content.get("achievements", {}).get(key) or {}).get("title", "")[:200]
    if kind == "attachment":
        return (content.get("files", {}).get(key) or {}).get("name", "")[:200]
    return ""


def targets_grouped(content: dict, *, pathway_materials: list[str], with_justification: bool
                    ) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a return may name, grouped for the form's list: the fields; the
    achievements and each one by title; each material and each file by name."""
    fields = [(code, str(FIELD_NAMES[code])) for code in ("specialty", "summary")]
    if with_justification:
        fields.append(("justification", str(FIELD_NAMES["justification"])))
    achievements = [("achievements", _("Achievements: add, change or remove any"))]
    for key, data in sorted(content.get("achievements", {}).items(), key=lambda kv: int(kv[0])):
        kind = _choice_label(Achievement.Kind, data.get("kind", ""))
        achievements.append((f"achievement:{key}", f"{data.get('title', '')} · {kind}"))
    files = content.get("files", {})
    materials: list[tuple[str, str]] = []
    for material in [*pathway_materials, "other"]:
        materials.append((material, _("%(material)s: any file") % {"material": material_name(material)}))
        for key, data in sorted(files.items(), key=lambda kv: int(kv[0])):
            if data.get("material") == material and not data.get("achievement"):
                materials.append((f"attachment:{key}", "— " + _("%(name)s · %(size)s") % {
                    "name": data.get("name", ""), "size": _file(data).description}))
    evidence = []
    for key, data in sorted(files.items(), key=lambda kv: int(kv[0])):
        if data.get("achievement"):
            owner = content.get("achievements", {}).get(str(data["achievement"])) or {}
            evidence.append((f"attachment:{key}", _("%(name)s · %(size)s · evidence of %(title)s") % {
                "name": data.get("name", ""), "size": _file(data).description, "title": owner.get("title", "")}))
    groups = [(_("Fields"), fields), (_("Achievements"), achievements), (_("Materials and their files"), materials)]
    if evidence:
        groups.append((_("Evidence files of achievements"), evidence))
    return groups


def slot_of(code: str, content: dict) -> str | None:
    """``attachment:<id>`` → the slot its replacement goes to: ``slot:<material>``
    or ``slot:evidence:<achievement id>`` (None for other targets)."""
    kind, _sep, key = code.partition(":")
    if kind != "attachment":
        return None
    data = content.get("files", {}).get(key)
    if not data:
        return None
    return f"slot:evidence:{data['achievement']}" if data.get("achievement") else f"slot:{data['material']}"


# --- One round as a page shows it --------------------------------------------------------------------

@dataclass
class CorrectionView:
    correction: object
    label: str
    changes: list[Change]
    answered: bool

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def done(self) -> bool:
        return self.changed or self.answered


@dataclass
class RoundView:
    round: object
    stage_label: str
    corrections: list[CorrectionView]
    changes: list[Change]
    open: bool  # the application is still returned: the comparison is with what it holds now

    @property
    def done_count(self) -> int:
        return sum(1 for c in self.corrections if c.done)

    @property
    def other_changes(self) -> list[Change]:
        """Changes no correction named (a return that unlocked all achievements, say)."""
        named = {c.correction.target for c in self.corrections}
        return [change for change in self.changes if not change.targets & named]


def round_view(correction_round, *, live_content: dict | None = None,
               specialty_names: dict[int, str] | None = None) -> RoundView:
    """A round's corrections, each with the changes that answer it; compared
    with ``live_content`` while the round is open, with what came back once
    resubmitted."""
    is_open = correction_round.resubmitted_at is None
    after = live_content if is_open else correction_round.content_after
    before = correction_round.content_before or {}
    changes = content_changes(before, after or before, specialty_names=specialty_names) if before else []
    views = []
    for correction in correction_round.corrections.all():
        answering = [c for c in changes if correction.target in c.targets]
        views.append(CorrectionView(correction, target_label(correction.target, content=before,
                                                             item_title=correction.item_title),
                                    answering, bool(correction.answer.strip())))
    stage = STAGE_RETURNED_BY.get(correction_round.stage, _("Returned for correction"))
    return RoundView(correction_round, str(stage), views, changes, is_open)


def specialty_ids(*contents: dict | None) -> set[int]:
    return {c["fields"]["specialty"] for c in contents if c and c.get("fields", {}).get("specialty")}
