"""Demo data for certificates: one batch issued by the demo bureau officer
of 乌鲁木齐市 (13900000001), with the PDFs rendered (eagerly under
``make run``), so that every certificate page has something to show:

* the demo applicant 阿依古丽 (13900000003) holds an assistant engineer
  title recognised by assessment and downloads its PDF from
  *My certificates*; her enterprise's HR sees it;
* 马天宇 holds an engineer title by review, valid: a visitor verifies it by
  number and name at ``/verify/``;
* 李娜's certificate was revoked (issued in error): verification says so.

Call after ``demo_people`` (``manage.py demo_data`` does). Idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.db import transaction

from applications.demo import ENGINEERING_COMMITTEE
from applications.models import Specialty, TitleSeries
from certificates import services
from certificates.models import Certificate
from portal.demo import DEMO_PASSWORD, demo_id_number
from portal.models import Region, Role, User

OFFICER = "13900000001"
APPLICANT = "13900000003"
HOLDERS = [("13900001701", "马天宇", "19870309", 71), ("13900001702", "李娜", "19910712", 72)]
GRANT_PREFIX = "demo:certificate:"
BATCH_LABEL = "2026年乌鲁木齐市工程系列职称证书（演示）"


def _holder(mobile: str, name: str, birth: str, serial: int) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(mobile, DEMO_PASSWORD, real_name=name,
                                        id_number=demo_id_number("650102", birth, serial))
    user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
    return user


def _spec(key: str, holder: User, *, level: str, title: str, method: str, body: str, filing: str,
          approval: str, granted: dt.date) -> dict:
    engineering = TitleSeries.objects.get(code="engineering")
    return {"grant_key": GRANT_PREFIX + key, "holder": holder, "series": engineering,
            "specialty": Specialty.objects.get(series=engineering, code="mechanical"), "level": level,
            "title_name": title, "method": method, "granting_body_name": body,
            "granting_body_region": Region.objects.get(code="650100"), "filing_number": filing,
            "approval_number": approval, "date_granted": granted}


def demo_certificates() -> list[tuple[str, str, str]]:
    """Issue the demo batch (once); return (label, number, holder) rows to try on /verify/."""
    officer = User.objects.filter(mobile=OFFICER).first()
    applicant = User.objects.filter(mobile=APPLICANT).first()
    if officer is None or applicant is None:
        return []
    if not Certificate.objects.filter(grant_key__startswith=GRANT_PREFIX).exists():
        committee = ENGINEERING_COMMITTEE  # the demo committee (applications.demo), named in three languages
        holders = [_holder(*person) for person in HOLDERS]
        specs = [
            _spec("1", applicant, level="junior", title="助理工程师", method="recognition",
                  body="乌鲁木齐市人力资源和社会保障局", filing="—", approval="乌人社职认〔2026〕7号",
                  granted=dt.date(2026, 3, 18)),
            _spec("2", holders[0], level="intermediate", title="工程师", method="review", body=committee,
                  filing="新人社职称备〔2025〕001号", approval="乌人社职〔2026〕3号", granted=dt.date(2026, 1, 5)),
            _spec("3", holders[1], level="intermediate", title="工程师", method="review", body=committee,
                  filing="新人社职称备〔2025〕001号", approval="乌人社职〔2026〕3号", granted=dt.date(2026, 1, 5)),
        ]
        with transaction.atomic():
            batch = services.certificate_issue_batch(grant_specs=specs, actor=officer, label=BATCH_LABEL)
        # Issued here and now, whether or not a worker runs (its queued
        # messages then find the work done: the tasks are idempotent).
        services.certificate_batch_process_items(item_ids=list(batch.items.values_list("pk", flat=True)))
        revoked = Certificate.objects.filter(grant_key=GRANT_PREFIX + "3").first()
        if revoked is not None and revoked.status == Certificate.Status.VALID:
            services.certificate_revoke(actor=officer, certificate_id=revoked.pk,
                                        reason="演示：批准文号录入有误，已更正后另行发证。",
                                        reason_category=Certificate.RevocationCategory.ISSUED_IN_ERROR)
    rows = []
    for certificate in Certificate.objects.filter(grant_key__startswith=GRANT_PREFIX).order_by("grant_key"):
        rows.append((certificate.get_status_display(), certificate.number, certificate.holder_name))
    return rows
