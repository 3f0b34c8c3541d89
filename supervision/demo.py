"""Demo data for supervision: a supervisor's login, and a past call of the
demo engineering committee whose meeting passed 4 of 5 candidates against a
ceiling of 60 % (R6.7) and whose results were never filed (R2.4), with a fee
(R6.9) and a reminder (R6.8). No alert is raised here: a supervisor sees the
data on the oversight pages and presses "Check now" on the alerts page.

Call after ``demo_data_applications`` (it needs the demo committee):
``from supervision.demo import demo_supervision; demo_supervision()``.
Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Call, Specialty, TitleHeld, TitleName, TitleSeries
from portal.demo import DEMO_PASSWORD, demo_id_number
from portal.models import Committee, CommitteeMember, Employment, Organization, Region, Role, User
from review.models import CommitteeFee, CommitteeSanction, Meeting, MeetingCandidate

PAST_CALL = "2025年度乌鲁木齐市工程系列中级职称评审（已评审）"
PAST_CALL_EN = "Urumqi engineering intermediate title evaluation 2025 (evaluated)"
PAST_CALL_UG = "2025-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى ئوتتۇرا دەرىجىلىك كەسپىي ئۇنۋان باھالاش (باھالاندى)"
SUPERVISOR_MOBILE = "13900000060"
PEOPLE = [("13900001601", "艾力", True), ("13900001602", "周婷", True), ("13900001603", "吴昊", True),
          ("13900001604", "郑晓燕", True), ("13900001605", "孙浩", False)]


def _user(mobile: str, name: str, serial: int, role: str) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(mobile, DEMO_PASSWORD, real_name=name,
                                        id_number=demo_id_number("650102", f"1988{1 + serial % 12:02d}15", serial))
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@transaction.atomic
def demo_supervision() -> list[tuple[str, str, str]]:
    """Create the supervision demo; return (label, login, password) rows."""
    rows = [("Supervisor (监督员)", SUPERVISOR_MOBILE, DEMO_PASSWORD)]
    _user(SUPERVISOR_MOBILE, "赵刚", 601, Role.SUPERVISOR)
    committee = Committee.objects.filter(filing_number="新人社职称备〔2025〕001号").first()
    enterprise = Organization.objects.filter(name="新疆天山智能装备有限公司").first()
    if committee is None or enterprise is None or Call.objects.filter(name=PAST_CALL).exists():
        return rows
    secretary = (CommitteeMember.objects.filter(committee=committee, role=CommitteeMember.Role.SECRETARY)
                 .select_related("user").first())
    officer = User.objects.get(mobile="13900000001")
    engineering = TitleSeries.objects.get(code="engineering")
    specialty = Specialty.objects.filter(series=engineering).order_by("pk").first()
    urumqi = Region.objects.get(code="650100")
    now = timezone.now()
    call = Call.objects.create(
        name=PAST_CALL, name_en=PAST_CALL_EN, name_ug=PAST_CALL_UG,
        committee=committee, series=engineering, levels=["intermediate"], year=2025,
        opens_at=now - dt.timedelta(days=150), closes_at=now - dt.timedelta(days=90), methods=["review"],
        private_enterprise_group=True, pass_rate_ceiling=Decimal("0.6"),
        created_by=secretary.user if secretary else officer)
    closed_at = now - dt.timedelta(days=40)
    meeting = Meeting.objects.create(
        committee=committee, call=call, title="2025年度工程系列中级评审会议", scheduled_at=closed_at,
        status=Meeting.Status.CLOSED, members_total=9, present_total=9, opened_at=closed_at, closed_at=closed_at,
        created_by=secretary.user if secretary else officer)
    title = TitleName.objects.get(series=engineering, level="intermediate")
    for n, (mobile, name, passed) in enumerate(PEOPLE, start=1):
        person = _user(mobile, name, 610 + n, Role.APPLICANT)
        Employment.objects.get_or_create(user=person, employer=enterprise, defaults={
            "start_date": dt.date(2016, 3, 1), "status": Employment.Status.CONFIRMED, "position": "工程师"})
        TitleHeld.objects.get_or_create(user=person, series=engineering, level="junior", defaults={
            "title_name": "助理工程师", "granted_on": dt.date(2019, 12, 20), "granting_body": "乌鲁木齐市人社局"})
        application = Application.objects.create(
            applicant=person, call=call, series=engineering, year=2025, specialty=specialty, level="intermediate",
            title_name=title.name, employer=enterprise, sponsor=enterprise, region=urumqi, private_enterprise=True,
            status=ApplicationStatus.PASSED if passed else ApplicationStatus.FAILED,
            submitted_at=now - dt.timedelta(days=120))
        MeetingCandidate.objects.create(
            meeting=meeting, application=application, yes_votes=8 if passed else 3, no_votes=1 if passed else 6,
            outcome=MeetingCandidate.Outcome.PASSED if passed else MeetingCandidate.Outcome.FAILED,
            decided_at=closed_at)
    if secretary:
        CommitteeFee.objects.create(committee=committee, call=call, description="评审费（每人）", amount=Decimal("300"),
                                    basis="新发改收费〔2021〕12号", recorded_by=secretary.user)
    if not CommitteeSanction.objects.filter(committee=committee).exists():
        from review.services import committee_sanction

        committee_sanction(actor=officer, committee_id=committee.pk, kind=CommitteeSanction.Kind.REMINDER,
                           reason="请按时报送2025年度评审结果备案材料。")
    return rows
