"""Demo data for the review journeys (issue 12 §7): after ``demo_applications``
every role of the evaluation has something to do on its first page.

On the demo engineering call of 乌鲁木齐 (methods: review and defence, pass-rate
ceiling 60 %) the committee gets a chair and eight members, four of them in
the expert pool, and six more applicants walk through the applications
workflow into evaluation. Then, through the review services:

* experts 李建华 (13900002002) and 张淑英 (13900002003) are drawn for every
  mechanical-engineering application; they have scored five, 李建华 has a
  draft on 黄丽's and both still have 唐磊's to score;
* a defence session on site has been held for five applicants, a remote one
  is scheduled for 黄丽, and 唐磊 still needs a slot;
* the first review meeting is closed: two passed and one did not; the two
  are in result publicity, and an objection to 努尔艾力·吐尔逊's result is
  waiting for the secretary's answer;
* the second meeting is in session with 7 of the 9 members present (a
  quorum needs 6), its ballot open: some members have voted, 李建华 has not;
  the call's ceiling lets one more candidate pass (60 % of 5 is 3; 2 passed).

The secretary (13900001010) thus has a call in evaluation, an open ballot to
close, an objection to answer, a defence to schedule and reviews to chase.
Everything goes through the services, so timelines and the audit trail are
real; only the passing of time is simulated as in ``applications.demo``.
Idempotent: once the first meeting exists nothing is added.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from applications.demo import ENGINEERING_CALL, _bodies, _education, _person, _title, _user, _Walk
from applications.models import Call, Specialty
from portal.demo import DEMO_PASSWORD
from portal.models import CommitteeMember, Role, User
from review import services
from review.models import Assignment, ExpertProfile, Meeting, PublicityEntry

FIRST_MEETING = "2026年度工程系列评审会（第一次会议）"
SECOND_MEETING = "2026年度工程系列评审会（第二次会议）"
CHAIR = ("13900002001", "王志刚")
EXPERT_DRAFT = ("13900002002", "李建华")
EXPERT_TO_SCORE = ("13900002003", "张淑英")
MEMBERS = [("13900002004", "阿不都热合曼·买买提"), ("13900002005", "刘振东"), ("13900002006", "陈晓梅"),
           ("13900002007", "马国庆"), ("13900002008", "杨帆"), ("13900002009", "古丽米拉·艾合买提")]
#: (mobile, name): passed / passed, objected to / not passed at the first meeting; voted on at the second;
#: still being scored.
PASSED, OBJECTED, NOT_PASSED = ("13900002101", "何文杰"), ("13900002102", "努尔艾力·吐尔逊"), ("13900002103", "宋雅琴")
VOTED = [("13900002104", "罗斌"), ("13900002105", "帕提古丽·热合曼")]
TO_SCORE = ("13900002106", "唐磊")
FULL = {"ability": 26, "achievements": 25, "market_recognition": 16, "contribution": 17}
WEAK = {"ability": 15, "achievements": 12, "market_recognition": 9, "contribution": 10}


def _rows() -> list[tuple[str, str, str]]:
    return [
        ("Committee chair (votes in the open meeting)", CHAIR[0], DEMO_PASSWORD),
        ("Expert: a draft score, one to score, a vote to cast", EXPERT_DRAFT[0], DEMO_PASSWORD),
        ("Expert: applications to score", EXPERT_TO_SCORE[0], DEMO_PASSWORD),
        ("Applicant, result in publicity with an objection", OBJECTED[0], DEMO_PASSWORD),
        ("Applicant, not passed (may ask for reconsideration)", NOT_PASSED[0], DEMO_PASSWORD),
        ("Applicant, waiting for a defence slot", TO_SCORE[0], DEMO_PASSWORD),
    ]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _people(b: dict, officer: User, secretary: User) -> tuple[list[User], dict[str, User]]:
    """The committee's chair and members (added by the bureau) and its expert pool (by the secretary)."""
    committee = b["committee"]
    people = [_user(mobile, name, 200 + n, Role.EXPERT)
              for n, (mobile, name) in enumerate([CHAIR, EXPERT_DRAFT, EXPERT_TO_SCORE, *MEMBERS], start=1)]
    for n, user in enumerate(people):
        role = CommitteeMember.Role.CHAIR if n == 0 else CommitteeMember.Role.MEMBER
        if not CommitteeMember.objects.filter(committee=committee, user=user, role=role, is_active=True).exists():
            services.committee_member_add(actor=officer, committee_id=committee.pk, user_id=user.pk, role=role)
    mechanical = Specialty.objects.get(series=committee.series, code="mechanical")
    electrical = Specialty.objects.get(series=committee.series, code="electrical")
    today = timezone.localdate()
    pool = [(people[1], "senior", mechanical, "新疆大学机械工程学院", "正高级工程师"),
            (people[2], "senior", mechanical, "新疆机械研究院", "正高级工程师"),
            (people[4], "deputy_senior", electrical, "国网新疆电力科学研究院", "高级工程师"),
            (people[5], "senior", electrical, "新疆工程学院", "正高级工程师")]
    for user, level, specialty, employer, title in pool:
        if not ExpertProfile.objects.filter(committee=committee, user=user).exists():
            services.expert_add(actor=secretary, committee_id=committee.pk, user_id=user.pk, level=level,
                                specialty_ids=[specialty.pk], term_start=today - dt.timedelta(days=200),
                                term_end=today + dt.timedelta(days=800), employer_name=employer, title_name=title,
                                field_of_work="装备制造" if specialty == mechanical else "电力工程")
    return people, {"draft": people[1], "to_score": people[2]}


def _applicant(w: _Walk, mobile: str, name: str, serial: int):
    user = _person(mobile, name, serial, w.b["enterprise"])
    if user is None:
        return None
    _education(user, year=2011)
    _title(user, "junior", 2015)
    application = w.draft(user)
    return w.audit(w.accept(w.publicity_over(w.approve(w.submit(application)))))


def _score(assignment: Assignment, values: dict, verdict: str, comment: str) -> None:
    services.score_submit(actor=assignment.expert_user, assignment_id=assignment.pk, values=values, verdict=verdict,
                          comment=comment)


def _vote(meeting: Meeting, application, ballots: list[tuple[User, str]]) -> None:
    candidate = meeting.candidates.get(application=application)
    for member, choice in ballots:
        services.ballot_cast(actor=member, meeting_id=meeting.pk, candidate_id=candidate.pk, choice=choice)


@transaction.atomic
def demo_review() -> list[tuple[str, str, str]]:
    """Create the review demo once; return the (label, login, password) rows to print."""
    call = Call.objects.filter(name=ENGINEERING_CALL).order_by("-pk").first()
    if call is None or Meeting.objects.filter(call__name=ENGINEERING_CALL, title=FIRST_MEETING).exists():
        return _rows()
    b = _bodies()
    call, secretary, officer = b["call"], b["secretary"], b["officer"]
    people, experts = _people(b, officer, secretary)
    chair, members = people[0], people[1:]
    w = _Walk(b)
    w.specialty = Specialty.objects.get(series=call.series, code="mechanical")
    apps = {}
    for serial, (mobile, name) in enumerate([PASSED, OBJECTED, NOT_PASSED, *VOTED, TO_SCORE], start=301):
        application = _applicant(w, mobile, name, serial)
        if application is not None:
            apps[mobile] = application
    if len(apps) < 6:  # someone applied by hand meanwhile: leave the scene to them
        return _rows()
    services.review_setup_configure(actor=secretary, call_id=call.pk, experts_per_application=2)
    services.evaluation_start(actor=secretary, call_id=call.pk)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=2026)

    first = [apps[PASSED[0]], apps[OBJECTED[0]], apps[NOT_PASSED[0]]]
    second = [apps[m] for m, _name in VOTED]
    for application in first + second:
        weak = application == apps[NOT_PASSED[0]]
        for assignment in application.review_assignments.filter(status=Assignment.Status.ACTIVE):
            _score(assignment, WEAK if weak else FULL, "not_recommend" if weak else "recommend",
                   "业绩与申报职称要求尚有差距，建议继续积累。" if weak else "专业基础扎实，业绩突出，同意推荐。")
    in_progress = Assignment.objects.filter(application__call=call, expert_user=experts["draft"],
                                            status=Assignment.Status.ACTIVE, score__isnull=True,
                                            application__applicant__mobile="13900001113").first()
    if in_progress is not None:  # 黄丽's application (applications.demo): a draft, half scored
        services.score_save(actor=experts["draft"], assignment_id=in_progress.pk,
                            values={"ability": 24, "achievements": 22}, comment="专利转化成效明显，")

    today = timezone.localdate()
    held = services.defence_session_create(actor=secretary, call_id=call.pk, name="工程系列现场答辩（第一场）",
                                           mode="on_site", starts_at=_local(today - dt.timedelta(days=3), 9, 30),
                                           location="乌鲁木齐市人力资源和社会保障局三楼答辩室")
    for n, application in enumerate(first + second):
        starts = _local(today - dt.timedelta(days=3), 9, 30) + dt.timedelta(minutes=25 * n)
        slot = services.defence_slot_add(actor=secretary, session_id=held.pk, application_id=application.pk,
                                         starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
        services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present",
                                       score=62 if application == apps[NOT_PASSED[0]] else 86 + n,
                                       comment="答辩思路清晰，回答问题准确。")
    remote = services.defence_session_create(actor=secretary, call_id=call.pk, name="工程系列远程答辩（第二场）",
                                             mode="remote", starts_at=_local(today + dt.timedelta(days=5), 10),
                                             meeting_link="https://meeting.example.cn/xj-eng-2026-2")
    huang = call.applications.filter(applicant__mobile="13900001113", status="in_evaluation").first()
    if huang is not None:
        services.defence_slot_add(actor=secretary, session_id=remote.pk, application_id=huang.pk,
                                  starts_at=_local(today + dt.timedelta(days=5), 10),
                                  ends_at=_local(today + dt.timedelta(days=5), 10, 20))

    # The first meeting: 8 of 9 present; two pass, one does not (60 % of 3 allows 2).
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title=FIRST_MEETING,
                                      scheduled_at=_local(today - dt.timedelta(days=2), 9, 30),
                                      location="乌鲁木齐市人力资源和社会保障局五楼会议室",
                                      application_ids=[a.pk for a in first])
    present = [chair, *members[:7]]
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk, member_ids=[m.pk for m in present])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    _vote(meeting, first[0], [(m, "yes") for m in present[:7]] + [(present[7], "no")])
    _vote(meeting, first[1], [(m, "yes") for m in present[:6]] + [(present[6], "no"), (present[7], "abstain")])
    _vote(meeting, first[2], [(m, "yes") for m in present[:3]] + [(m, "no") for m in present[3:]])
    services.meeting_close(actor=secretary, meeting_id=meeting.pk)

    # Result publicity from today, and a public objection to one result (R5.6, R6.10).
    period = services.result_publicise(actor=secretary, call_id=call.pk, starts_on=today)
    entry = PublicityEntry.objects.get(period=period, application=first[1])
    services.objection_create(entry_id=entry.pk, reason="该同志申报的专利第一发明人与实际不符，请予核实。",
                              contact="13700001234", source="demo")

    # The second meeting, in session: 7 of 9 present (6 needed); its ballot is open.
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title=SECOND_MEETING,
                                      scheduled_at=_local(today, 9, 30),
                                      location="乌鲁木齐市人力资源和社会保障局五楼会议室",
                                      application_ids=[a.pk for a in second])
    services.meeting_notice_send(actor=secretary, meeting_id=meeting.pk)
    others = [m for m in members if m not in (experts["draft"], experts["to_score"])]
    present = [chair, experts["draft"], *others[:5]]
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk, member_ids=[m.pk for m in present])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    voters = [chair, *others[:3]]  # 李建华 and two others have not voted yet
    _vote(meeting, second[0], [(m, "yes") for m in voters])
    _vote(meeting, second[1], [(voters[1], "yes"), (voters[2], "no")])  # the chair has not voted on this one
    return _rows()
