"""Audit of authentication events raised by django-axes and Django."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.dispatch import receiver


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from portal.audit import audit_record

    audit_record(actor=None, action="auth.locked_out", object_type="portal.user",
                 object_id=str(username or "")[:64], after={"ip": ip_address})
