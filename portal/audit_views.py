"""Trace back (R6.2): the audit viewer for supervisors and auditors, with
keyset pagination and an audited Excel export."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from portal import audit_labels, selectors
from portal.audit import audit_record, chain_backlog
from portal.models import Role
from portal.spreadsheets import excel_safe, sheet_title
from portal.views_helpers import role_required

PAGE = 50


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
EXPORT_LIMIT = 100_000


class AuditFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"

    action = forms.CharField(label=gettext_lazy("Action"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"list": "audit-actions"}))
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=gettext_lazy("Actor (name or id)"), required=False, max_length=64)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        tz = timezone.get_current_timezone()
        filters = {
            "action": d["action"].strip(), "object_type": d["object_type"].strip(),
            "object_id": d["object_id"].strip(), "actor": d["actor"].strip(),
            "since": dt.datetime.combine(d["since"], dt.time.min, tz) if d["since"] else None,
            "until": dt.datetime.combine(d["until"] + dt.timedelta(days=1), dt.time.min, tz) if d["until"] else None,
        }
    return form, filters


def _model_of(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _shown(field, value, *, key: str = "", names: dict | None = None) -> str:
    """A recorded value in words: a choice or a code by its label, a yes/no in words, a list or a
    mapping as its parts named by their labels (never the JSON of the record)."""
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "flatchoices", None) and isinstance(value, str):
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    return audit_labels.value_in_words(value, key=key, names=names or {})


def event_changes(event, catalogue: dict | None = None) -> list[dict]:
    """The fields an event changed, each named by its label, with before and after in words;
    ``catalogue`` names the codes of reference data (``audit_labels.catalogue_names``)."""
    model = _model_of(event.object_type)
    before, after = event.before or {}, event.after or {}
    names = {**(catalogue if catalogue is not None else audit_labels.catalogue_names()),
             **audit_labels.names_in_event(before, after)}
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        if key in audit_labels.INTERNAL_KEYS:
            continue
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except Exception:  # noqa: BLE001 - a key that is no field (a count, a note) is named below
                field = None
        label = audit_labels.field_label(field, key)
        rows.append({"label": label,
                     "before": _shown(field, before[key], key=key, names=names) if key in before else None,
                     "after": _shown(field, after[key], key=key, names=names) if key in after else None})
    return rows


@role_required(Role.SUPERVISOR, Role.AUDITOR)
def audit_list(request):
    form, filters = _filtered(request)
    try:
        before = int(request.GET.get("before", "") or 0) or None
    except ValueError:
        before = None
    events = list(selectors.audit_events(**filters, before_seq=before)[: PAGE + 1])
    has_more = len(events) > PAGE
    events = events[:PAGE]
    catalogue = audit_labels.catalogue_names()
    for event in events:
        model = _model_of(event.object_type)
        event.object_kind = str(model._meta.verbose_name) if model is not None else _("Other record")
        event.action_label = audit_labels.action_label(event.action, event.object_kind)
        # A row's id; a name kept in the id (an exported table, "check") is said by the action's label.
        event.object_ref = f"#{event.object_id}" if event.object_id.isdigit() else ""
        event.changes = event_changes(event, catalogue)
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "portal/audit_list.html", {
        "form": form, "events": events, "has_more": has_more,
        "next_before": events[-1].seq if events else None, "query": query.urlencode(),
        "backlog": chain_backlog(),
        "actions": sorted(audit_labels.all_action_labels().items(), key=lambda item: item[1]),
    })


@role_required(Role.SUPERVISOR, Role.AUDITOR)
def audit_export(request):
    """The filtered events as Excel; the export itself is audited."""
    _form, filters = _filtered(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(_("Audit trail")))
    sheet.append([_("Sequence"), _("Time"), _("Actor"), _("Action"), _("Object type"), _("Object id"),
                  _("Object"), _("Before"), _("After"), _("Reason"), _("Address"), _("Hash")])
    count = 0
    qs = selectors.audit_events(**filters)[:EXPORT_LIMIT]
    for event in qs.iterator(chunk_size=2000):
        # Kept as recorded (the Chinese names of the record); typed text never starts a formula.
        sheet.append([event.seq, timezone.localtime(event.created_at).replace(tzinfo=None),
                      excel_safe(event.actor_label), event.action, event.object_type, excel_safe(event.object_id),
                      excel_safe(event.object_label), _json(event.before), _json(event.after),
                      excel_safe(event.reason), event.ip_address or "", event.hash])
        count += 1
    buffer = BytesIO()
    workbook.save(buffer)
    audit_record(actor=request.user, action="audit.export", object_type="portal.auditevent", object_id="export",
                 after={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": count})
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.xlsx"'
    return response
