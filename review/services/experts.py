"""The expert pool of a committee (R2.6): by hand or from an Excel sheet.

An expert holds a title of the committee's series at some level, works in
named specialties, has an employer (for recusal, R6.6) and serves a term of
at most ``PolicySettings.expert_term_max_years`` years.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from applications.models import Level, Specialty, TitleName
from portal import personal_data, spreadsheets
from portal.audit import audit_record
from portal.errors import InvalidInput, NotFound, RuleViolation
from portal.models import Committee, Organization, PolicySettings, Role, User
from portal.names import same_name
from review.models import ExpertProfile
from review.services._common import add_years, is_bureau_for_committee, is_secretary

EXPERT_AUDIT_FIELDS = ("user", "level", "employer", "employer_name", "term_start", "term_end", "is_active")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
#: Cells read per row: the known columns and room for others, which are ignored.
MAX_IMPORT_COLUMNS = 40

#: The sheet's columns and their headers, as the reader writes them: the template's Chinese headers,
#: and the Uyghur and English ones (each language's header is accepted whatever the reader's language).
COLUMNS = {
    "name": pgettext_lazy("expert import column", "Name"),
    "mobile": pgettext_lazy("expert import column", "Mobile"),
    "id_number": pgettext_lazy("expert import column", "ID number"),
    "level": pgettext_lazy("expert import column", "Level"),
    "title": pgettext_lazy("expert import column", "Title"),
    "specialties": pgettext_lazy("expert import column", "Specialties"),
    "employer": pgettext_lazy("expert import column", "Employer"),
    "employer_uscc": pgettext_lazy("expert import column", "Employer USCC"),
    "term_start": pgettext_lazy("expert import column", "Term start"),
    "term_end": pgettext_lazy("expert import column", "Term end"),
    "field": pgettext_lazy("expert import column", "Field of work"),
}
#: Other headers people write (Chinese or English) → column.
HEADERS = {
    "姓名": "name", "name": "name",
    "手机号": "mobile", "手机号码": "mobile", "mobile": "mobile",
    "身份证号": "id_number", "身份证号码": "id_number", "id number": "id_number", "id_number": "id_number",
    "职称级别": "level", "级别": "level", "level": "level",
    "职称": "title", "职称名称": "title", "title": "title",
    "专业": "specialties", "评审专业": "specialties", "specialties": "specialties",
    "工作单位": "employer", "单位": "employer", "employer": "employer",
    "统一社会信用代码": "employer_uscc", "employer uscc": "employer_uscc", "employer_uscc": "employer_uscc",
    "聘期开始": "term_start", "term start": "term_start", "term_start": "term_start",
    "聘期结束": "term_end", "term end": "term_end", "term_end": "term_end",
    "从事领域": "field", "field of work": "field", "field": "field",
}
REQUIRED = ("name", "mobile", "level", "specialties", "term_start", "term_end")
LEVEL_NAMES = {"员级": "assistant_junior", "助理级": "junior", "初级": "junior", "中级": "intermediate",
               "副高级": "deputy_senior", "副高": "deputy_senior", "正高级": "senior", "正高": "senior"}


def _manager(actor: User, committee_id: int) -> Committee:
    committee = Committee.objects.select_related("filed_by", "series").filter(pk=committee_id).first()
    if committee is None or not (is_secretary(actor, committee.pk) or is_bureau_for_committee(actor, committee)):
        raise NotFound()
    return committee


def _check_term(term_start: dt.date, term_end: dt.date, policy: PolicySettings) -> None:
    if not isinstance(term_start, dt.date) or not isinstance(term_end, dt.date) or term_end <= term_start:
        raise InvalidInput(_("The term ends after it starts."), field="term_end")
    limit = add_years(term_start, policy.expert_term_max_years)
    if term_end > limit:
        raise RuleViolation(_("An expert's term lasts at most %(n)d years: until %(date)s at the latest (R2.6).")
                            % {"n": policy.expert_term_max_years, "date": limit.isoformat()},
                            rule="R2.6", field="term_end")


def _save_profile(*, actor: User, committee: Committee, user: User, level: str, specialties: list[Specialty],
                  term_start: dt.date, term_end: dt.date, employer: Organization | None, employer_name: str,
                  title_name: str, field_of_work: str) -> tuple[ExpertProfile, bool]:
    profile = ExpertProfile.objects.filter(committee=committee, user=user).first()
    created = profile is None
    before = {} if created else {f: str(getattr(profile, f"{f}_id" if f in ("user", "employer") else f))
                                 for f in EXPERT_AUDIT_FIELDS}
    if created:
        profile = ExpertProfile(committee=committee, user=user, added_by=actor)
    profile.series = committee.series
    profile.level = level
    profile.title_name = title_name or (TitleName.objects.filter(series=committee.series, level=level)
                                        .values_list("name", flat=True).first() or "")
    profile.employer = employer
    profile.employer_name = (employer.name if employer else employer_name or "")[:128]
    profile.field_of_work = (field_of_work or "")[:128]
    profile.term_start, profile.term_end = term_start, term_end
    profile.is_active = True
    profile.full_clean(exclude=["specialties"])
    profile.save()
    profile.specialties.set(specialties)
    user.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
    audit_record(actor=actor, action="expert.add" if created else "expert.update", obj=profile, before=before,
                 after={**{f: str(getattr(profile, f"{f}_id" if f in ("user", "employer") else f))
                           for f in EXPERT_AUDIT_FIELDS}, "specialties": sorted(s.pk for s in specialties)})
    return profile, created


def expert_add(*, actor: User, committee_id: int, user_id: int, level: str, specialty_ids: list[int],
               term_start: dt.date, term_end: dt.date, employer_id: int | None = None, employer_name: str = "",
               title_name: str = "", field_of_work: str = "") -> ExpertProfile:
    """Add (or update) an expert of the committee's pool by hand (R2.6)."""
    committee = _manager(actor, committee_id)
    policy = PolicySettings.load()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidInput(_("Unknown user."), field="user")
    if level not in Level.values:
        raise InvalidInput(_("Choose the level of the title the expert holds."), field="level")
    specialties = list(Specialty.objects.filter(pk__in=specialty_ids or [], series=committee.series))
    if not specialties or len(specialties) != len(set(specialty_ids)):
        raise RuleViolation(_("Choose the expert's specialties in the committee's series (R2.6)."),
                            rule="R2.6", field="specialties")
    _check_term(term_start, term_end, policy)
    employer = Organization.objects.filter(pk=employer_id).first() if employer_id else None
    if employer_id and employer is None:
        raise InvalidInput(_("Unknown employer."), field="employer")
    try:
        with transaction.atomic():
            profile, _created = _save_profile(actor=actor, committee=committee, user=user, level=level,
                                              specialties=specialties, term_start=term_start, term_end=term_end,
                                              employer=employer, employer_name=employer_name,
                                              title_name=title_name, field_of_work=field_of_work)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages))
    return profile


def _deactivate(*, actor: User, expert_id: int, reason: str, may_act, case_reference: str = "",
                then=None) -> ExpertProfile:
    """Take the expert out of the pool (never drawn again), audited;
    ``may_act(profile)`` raises when the actor may not; ``then(profile)``
    runs in the same transaction when the expert was taken out now."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason."), field="reason")
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().select_related("committee").filter(pk=expert_id).first()
        if profile is None:
            raise NotFound()
        may_act(profile)
        if not profile.is_active:
            return profile
        profile.is_active = False
        profile.save(update_fields=["is_active"])
        audit_record(actor=actor, action="expert.deactivate", obj=profile, before={"is_active": True},
                     after={"is_active": False, **({"case": case_reference} if case_reference else {})},
                     reason=reason)
        if then is not None:
            then(profile)
    return profile


def expert_deactivate(*, actor: User, expert_id: int, reason: str) -> ExpertProfile:
    return _deactivate(actor=actor, expert_id=expert_id, reason=reason,
                       may_act=lambda profile: _manager(actor, profile.committee_id))


# --- Excel import -------------------------------------------------------------------

@dataclass
class ImportError_:
    row: int
    column: str
    message: str

    @property
    def label(self) -> str:
        """The column's header in the reader's language (the column's key stays in ``column``)."""
        return str(COLUMNS[self.column]) if self.column in COLUMNS else self.column


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    accounts_created: int = 0
    errors: list[ImportError_] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "accounts_created": self.accounts_created,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


#: Marks that come with copied text and are no part of a name: zero-width characters, direction marks
#: and isolates, the byte-order mark.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
#: What people type between several specialties in one cell: commas (ASCII, full-width, 、 and the
#: Arabic-script ،), semicolons (ASCII, full-width, Arabic-script ؛) and new lines. Not a space: names
#: hold spaces ("Electrical Engineering", most Uyghur names).
SPECIALTY_SEPARATORS = re.compile("[,，、\u060c;；\u061b\r\n]+")
#: Between words of a cell, when the words are not one name: codes or names typed with spaces or
#: slashes between them ("electrical electronics").
WORD_BREAKS = re.compile(r"[\s/]+")


def _key(text: str) -> str:
    """``text`` as it is compared with a header or a catalogue name: Unicode compatibility forms
    folded (full-width Latin, Arabic presentation forms), invisible marks dropped, spaces collapsed,
    case ignored."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    return " ".join(text.split()).casefold()


def _headers() -> dict[str, str]:
    """Header (as ``_key`` compares it) → column: the aliases, and each column's header in every language."""
    from django.conf import settings
    from django.utils import translation

    headers = {_key(text): column for text, column in HEADERS.items()}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column, label in COLUMNS.items():
                headers.setdefault(_key(str(label)), column)
    return headers


@functools.cache
def _levels() -> dict[str, str]:
    """Level (as ``_key`` compares it) → code: the code, the Chinese short forms, and each level's
    name in every language (a Uyghur officer writes the Uyghur one). Built once per process (the
    catalogues do not change while it runs), not for every row of a sheet."""
    from django.conf import settings
    from django.utils import translation

    levels = {_key(text): code for text, code in LEVEL_NAMES.items()}
    levels.update({_key(code): code for code in Level.values})
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in zip(Level.values, Level.labels, strict=True):
                levels.setdefault(_key(str(label)), code)
    return levels


def specialty_keys(series) -> dict[str, Specialty]:
    """The series' active specialties by what a sheet may call them: the code, the Chinese, Uyghur
    and English names (as ``_key`` compares them). A code wins over another specialty's name."""
    catalogue = list(Specialty.objects.filter(series=series, is_active=True).order_by("pk"))
    keys: dict[str, Specialty] = {}
    for specialty in catalogue:
        keys.setdefault(_key(specialty.code), specialty)
    for specialty in catalogue:
        for text in (specialty.name, specialty.name_ug, specialty.name_en):
            if text:
                keys.setdefault(_key(text), specialty)
    return keys


def specialties_in(text: str, keys: dict[str, Specialty]) -> tuple[list[Specialty], list[str]]:
    """The specialties a cell names (each once, in order), and the names in it that are none, as typed.

    The cell is cut at the separators (``SPECIALTY_SEPARATORS``); a piece is one specialty's code or
    name, or else several typed with spaces between them, read from the left taking the longest
    name that matches; the words that match none are one unknown name."""
    found: list[Specialty] = []
    unknown: list[str] = []
    for piece in SPECIALTY_SEPARATORS.split(INVISIBLE.sub("", text or "")):
        piece = piece.strip()
        if not piece:
            continue
        specialty = keys.get(_key(piece))
        if specialty is not None:
            found.append(specialty)
            continue
        words = [w for w in WORD_BREAKS.split(piece) if w]
        start, run = 0, []
        while start < len(words):
            for end in range(len(words), start, -1):
                specialty = keys.get(_key(" ".join(words[start:end])))
                if specialty is not None:
                    break
            if specialty is None:
                run.append(words[start])
                start += 1
                continue
            if run:
                unknown.append(" ".join(run))
                run = []
            found.append(specialty)
            start = end
        if run:
            unknown.append(" ".join(run))
    return list(dict.fromkeys(found)), unknown


def _read_sheet(upload) -> list[tuple[int, dict]]:
    """The sheet's rows by column name, through the shared guard (size, unpacked
    size and ratio, rows before parsing, NUL removed: ``portal.spreadsheets``)."""
    with spreadsheets.sheet_rows(upload, max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS,
                                 max_cols=MAX_IMPORT_COLUMNS) as rows:
        first = next(rows, None)
        header = first[1] if first else None
        if not header or all(_cell_text(h) == "" for h in header):
            raise InvalidInput(_("The sheet is empty."), field="file")
        headers = _headers()
        columns = [headers.get(_key(_cell_text(h))) for h in header]
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise InvalidInput(_("The first row must name the columns; missing: %(cols)s.")
                               % {"cols": pgettext("list", ", ").join(str(COLUMNS[name]) for name in missing)},
                               field="file")
        result = []
        for number, values in rows:
            data = {}
            for column, value in zip(columns, values, strict=False):
                if column:
                    data[column] = value
            if all(_cell_text(v) == "" for v in data.values()):
                continue
            result.append((number, data))
        return result


def _parse_row(row: dict, committee: Committee, specialties_by_key: dict, policy: PolicySettings,
               errors: list[ImportError_], number: int) -> dict | None:
    def error(column: str, message: str) -> None:
        errors.append(ImportError_(number, column, str(message)))

    start = len(errors)
    name = _cell_text(row.get("name"))
    if not name:
        error("name", _("The name is missing."))
    try:
        mobile = personal_data.normalize_mobile(_cell_text(row.get("mobile")))
    except ValidationError:
        mobile = ""
        error("mobile", _("Enter a valid 11-digit mainland mobile number."))
    id_number = _cell_text(row.get("id_number"))
    if id_number:
        try:
            id_number = personal_data.normalize_id_number(id_number)
        except ValidationError:
            error("id_number", _("The ID number is not valid."))
    raw_level = _cell_text(row.get("level"))
    level = _levels().get(_key(raw_level), raw_level)
    if level not in Level.values:
        error("level", _("Unknown level “%(value)s”: write %(levels)s (in Chinese, Uyghur or English) or a level "
                         "code.") % {"value": f"\u2068{raw_level}\u2069",
                                     "levels": pgettext("list", ", ").join(str(label) for label in Level.labels)})
    specialties, unknown = specialties_in(_cell_text(row.get("specialties")), specialties_by_key)
    for value in unknown:
        # The name as typed, isolated so that a Chinese or Latin name keeps its place in a Uyghur sentence.
        error("specialties", _("“%(value)s” is not a specialty of %(series)s (R2.6).")
              % {"value": f"\u2068{value}\u2069", "series": committee.series.display_name})
    if not specialties and not any(e.column == "specialties" for e in errors[start:]):
        error("specialties", _("Name at least one specialty."))
    term_start, term_end = _cell_date(row.get("term_start")), _cell_date(row.get("term_end"))
    if term_start is None:
        error("term_start", _("Enter the date as YYYY-MM-DD."))
    if term_end is None:
        error("term_end", _("Enter the date as YYYY-MM-DD."))
    if term_start and term_end:
        try:
            _check_term(term_start, term_end, policy)
        except (InvalidInput, RuleViolation) as e:
            error("term_end", e.as_text())
    employer = None
    uscc = _cell_text(row.get("employer_uscc")).upper()
    employer_name = _cell_text(row.get("employer"))
    if uscc:
        employer = Organization.objects.filter(uscc=uscc).first()
        if employer is None:
            error("employer_uscc", _("No organization with this credit code is registered."))
    elif employer_name:
        employer = Organization.objects.filter(name=employer_name).order_by("pk").first()
    if len(errors) > start:
        return None
    return {"name": name, "mobile": mobile, "id_number": id_number, "level": level, "specialties": specialties,
            "term_start": term_start, "term_end": term_end, "employer": employer, "employer_name": employer_name,
            "title_name": _cell_text(row.get("title"))[:64], "field_of_work": _cell_text(row.get("field"))}


def _resolve_user(data: dict, errors: list[ImportError_], number: int) -> tuple[User | None, bool]:
    user = User.objects.filter(mobile=data["mobile"]).first()
    if user is None and data["id_number"]:
        user = User.objects.filter(id_number_hash=personal_data.lookup_hash(data["id_number"])).first()
    if user is not None:
        if not same_name(user.real_name, data["name"]):  # 买买提·艾力 = 买买提.艾力 = 买买提 艾力
            errors.append(ImportError_(number, "name", _("The account with this mobile number belongs to someone "
                                                         "with another name.")))
            return None, False
        return user, False
    if not data["id_number"]:
        errors.append(ImportError_(number, "id_number", _("No account uses this mobile number; give the ID number "
                                                          "to open a real-name account for the expert.")))
        return None, False
    user = User.objects.create_user(data["mobile"], None, real_name=data["name"], id_number=data["id_number"])
    audit_record(actor=None, action="user.create_for_expert", obj=user,
                 after={"mobile": user.mobile_masked, "id_number": user.id_number_masked})
    return user, True


def expert_import_excel(*, actor: User, committee_id: int, upload, dry_run: bool = False) -> ImportReport:
    """Import a committee's pool from the first sheet of an .xlsx file.

    Rows that pass every check are imported (an expert already in the pool
    is updated); each refused row is reported with its row number, column
    and reason. With ``dry_run`` nothing is written.
    """
    committee = _manager(actor, committee_id)
    policy = PolicySettings.load()
    rows = _read_sheet(upload)
    report = ImportReport(rows=len(rows))
    specialties_by_key = specialty_keys(committee.series)
    seen_mobiles: dict[str, int] = {}
    for number, raw in rows:
        data = _parse_row(raw, committee, specialties_by_key, policy, report.errors, number)
        if data is None:
            continue
        if data["mobile"] in seen_mobiles:
            report.errors.append(ImportError_(number, "mobile", _("The same expert appears on row %(row)d.")
                                              % {"row": seen_mobiles[data["mobile"]]}))
            continue
        seen_mobiles[data["mobile"]] = number
        try:
            with transaction.atomic():
                user, new_account = _resolve_user(data, report.errors, number)
                if user is None:
                    continue
                _profile, created = _save_profile(
                    actor=actor, committee=committee, user=user, level=data["level"],
                    specialties=data["specialties"], term_start=data["term_start"], term_end=data["term_end"],
                    employer=data["employer"], employer_name=data["employer_name"], title_name=data["title_name"],
                    field_of_work=data["field_of_work"])
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            report.errors.append(ImportError_(number, "", " ".join(error.messages)))
            continue
        report.accounts_created += int(new_account)
        report.created += int(created)
        report.updated += int(not created)
    report.errors.sort(key=lambda e: (e.row, e.column))
    if not dry_run and (report.created or report.updated):
        audit_record(actor=actor, action="expert.import", obj=committee, after=report.as_dict())
    return report


__all__ = ["ImportReport", "expert_add", "expert_deactivate", "expert_import_excel"]


# --- Cancelled on an upheld fraud case (integrity app, R6.3) ----------------------------

def expert_deactivate_for_fraud(*, actor: User, expert_id: int, reason: str, case_reference: str) -> ExpertProfile:
    """R6.3: a supervisor upholding a fraud case cancels the qualification of
    an expert involved; the expert is never drawn again. Idempotent."""
    from portal.errors import NotAllowed
    from portal.notifications import notification_send

    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SUPERVISOR):
        raise NotAllowed(_("Only a supervisor deciding an upheld fraud case may cancel an expert for it (R6.3)."),
                         rule="R6.3")

    def notify(profile: ExpertProfile) -> None:
        notification_send(recipients=[profile.user],
                          subject=lambda: _("Your expert qualification on %(committee)s is cancelled (R6.3)")
                          % {"committee": profile.committee.display_name}, body=f"[{case_reference}] {reason.strip()}")

    return _deactivate(actor=actor, expert_id=expert_id, reason=reason, may_act=lambda profile: None,
                       case_reference=case_reference, then=notify)
