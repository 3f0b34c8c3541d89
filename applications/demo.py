"""Demo applications for ``make run``: an engineering committee of Urumqi with
an open call, a bureau's recognition call, and applications in every state
up to evaluation on every pathway and channel. Idempotent: people who already
have an application are left as they are.

Everything goes through the services (so timelines and the audit trail are
real); only the passing of time is simulated, by moving the end of a unit
publicity into the past before the daily close runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications import application_services as svc
from applications import workflow
from applications.models import (
    Application,
    Call,
    ContinuingEducation,
    EducationRecord,
    Qualification,
    SkillRecord,
    Specialty,
    TitleHeld,
    TitleSeries,
)
from portal import services as portal_services
from portal.demo import DEMO_PASSWORD, demo_id_number, demo_uscc
from portal.models import (
    Committee,
    CommitteeMember,
    CommitteeScope,
    Employment,
    Membership,
    Organization,
    Region,
    Role,
    User,
)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ENGINEERING_CALL = "2026年度乌鲁木齐市工程系列职称评审（民营企业专场）"
RECOGNITION_CALL = "2026年度乌鲁木齐市职称考核认定"
ENGINEERING_COMMITTEE = "乌鲁木齐市工程系列职称评审委员会"
#: The English and Uyghur names of the demo's calls and committee (official names stay Chinese).
NAMES = {
    ENGINEERING_COMMITTEE: ("Urumqi Engineering Title Evaluation Committee",
                            "ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش كومىتېتى"),
    ENGINEERING_CALL: ("Urumqi engineering title evaluation 2026 (private enterprises)",
                       "2026-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش "
                       "(خۇسۇسىي كارخانىلار ئۈچۈن مەخسۇس)"),
    RECOGNITION_CALL: ("Urumqi title recognition by assessment 2026",
                       "2026-يىللىق ئۈرۈمچى شەھەرلىك كەسپىي ئۇنۋاننى باھالاپ ئېتىراپ قىلىش"),
}


def name_translations(obj) -> None:
    """Give a demo call or committee made before it had them its English and Uyghur names."""
    name_en, name_ug = NAMES.get(obj.name, ("", ""))
    if (name_en or name_ug) and (obj.name_en, obj.name_ug) != (name_en, name_ug):
        obj.name_en, obj.name_ug = name_en, name_ug
        obj.save(update_fields=["name_en", "name_ug"])


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _user(mobile: str, name: str, serial: int, role: str = Role.APPLICANT) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        birth = f"{1985 + serial % 10}{1 + serial % 12:02d}{1 + serial % 28:02d}"
        user = User.objects.create_user(mobile, DEMO_PASSWORD, real_name=name,
                                        id_number=demo_id_number("650102", birth, serial))
    portal_services.user_grant_role(user=user, role=role)
    return user


def _org(kind: str, name: str, region: Region, **extra) -> Organization:
    org = Organization.objects.filter(kind=kind, name=name).first()
    if org is None:
        org = Organization.objects.create(kind=kind, name=name, region=region, status=Organization.Status.ACTIVE,
                                          **extra)
    return org


def _officer(org: Organization, mobile: str, name: str, serial: int, role: str) -> User:
    user = _user(mobile, name, serial, role)
    Membership.objects.get_or_create(user=user, organization=org,
                                     role=Membership.OrgRole.OFFICER if role != Role.ENTERPRISE_HR
                                     else Membership.OrgRole.HR_ADMIN)
    return user


def _employ(user: User, employer: Organization, **extra) -> None:
    if not Employment.objects.filter(user=user, employer=employer).exists():
        Employment.objects.create(user=user, employer=employer, start_date=dt.date(2016, 3, 1),
                                  status=Employment.Status.CONFIRMED, position="工程师", **extra)


def _bodies() -> dict:
    """The committee, its secretary, the calls and the organisations."""
    urumqi = Region.objects.get(code="650100")
    changji = Region.objects.get(code="652300")
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=urumqi)
    officer = User.objects.get(mobile="13900000001")
    engineering = TitleSeries.objects.get(code="engineering")
    today = timezone.localdate()
    committee, created = Committee.objects.get_or_create(filing_number="新人社职称备〔2025〕001号", defaults={
        "name": ENGINEERING_COMMITTEE, "name_en": NAMES[ENGINEERING_COMMITTEE][0],
        "name_ug": NAMES[ENGINEERING_COMMITTEE][1], "kind": Committee.Kind.BUREAU, "organizer": bureau,
        "filed_by": bureau, "series": engineering, "filed_on": dt.date(2025, 3, 1),
        "valid_until": max(dt.date(2028, 2, 28), today + dt.timedelta(days=400))})
    name_translations(committee)
    if created:
        for level in ("junior", "intermediate", "deputy_senior", "senior"):
            CommitteeScope.objects.create(committee=committee, level=level, region=None)
    secretary = _user("13900001010", "评委会秘书", 10, Role.COMMITTEE_SECRETARY)
    CommitteeMember.objects.get_or_create(committee=committee, user=secretary, role=CommitteeMember.Role.SECRETARY)
    now = timezone.now()
    call = Call.objects.filter(name=ENGINEERING_CALL, closes_at__gt=now).first()
    if call is None:
        call = svc.call_open(actor=secretary, name=ENGINEERING_CALL, name_en=NAMES[ENGINEERING_CALL][0],
                             name_ug=NAMES[ENGINEERING_CALL][1], series_id=engineering.pk,
                             levels=["junior", "intermediate", "deputy_senior", "senior"], year=today.year,
                             opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=40),
                             methods=["review", "defence"], committee_id=committee.pk,
                             pathways=["regular", "exceptional", "green_channel", "postdoc", "skills_crossover",
                                       "qualification"], private_enterprise_group=True,
                             pass_rate_ceiling=Decimal("0.6"))
    recognition = Call.objects.filter(name=RECOGNITION_CALL, closes_at__gt=now).first()
    if recognition is None:
        recognition = svc.call_open(actor=officer, name=RECOGNITION_CALL, name_en=NAMES[RECOGNITION_CALL][0],
                                    name_ug=NAMES[RECOGNITION_CALL][1], series_id=engineering.pk,
                                    levels=["junior", "intermediate"], year=today.year, bureau_id=bureau.pk,
                                    opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=40),
                                    methods=["recognition"], pathways=["recognition"])
    name_translations(call)
    name_translations(recognition)
    enterprise = Organization.objects.get(uscc=demo_uscc(1))
    hr = User.objects.get(mobile="13900000002")
    changji_enterprise = Organization.objects.filter(uscc=demo_uscc(4)).first()
    changji_hr = _user("13900001011", "韩雪", 11, Role.ENTERPRISE_HR)
    if changji_enterprise is None:
        from portal.demo import demo_licence

        changji_enterprise = portal_services.enterprise_register(
            registrant=changji_hr, name="昌吉天润建设工程有限公司", uscc=demo_uscc(4), region=changji,
            ownership=Organization.Ownership.PRIVATE, size=Organization.Size.MEDIUM, contact_name="韩雪",
            contact_phone="13900001011", business_licence=demo_licence())
        changji_officer = _officer(Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=changji),
                                   "13900001012", "昌吉审批员", 12, Role.BUREAU_OFFICER)
        portal_services.enterprise_approve(actor=changji_officer, organization_id=changji_enterprise.pk)
    agency = _org(Organization.Kind.TALENT_AGENCY, "新疆人才服务中心", urumqi)
    agency_officer = _officer(agency, "13900001013", "人才中心受理员", 13, Role.ACCEPTANCE_OFFICER)
    university = _org(Organization.Kind.INSTITUTION, "新疆工程学院", urumqi)
    university_hr = _user("13900001014", "高校人事处", 14, Role.ENTERPRISE_HR)
    Membership.objects.get_or_create(user=university_hr, organization=university, role=Membership.OrgRole.HR_ADMIN)
    return {"committee": committee, "call": call, "recognition": recognition, "enterprise": enterprise, "hr": hr,
            "changji_enterprise": changji_enterprise, "changji_hr": changji_hr, "agency": agency,
            "agency_officer": agency_officer, "university": university, "university_hr": university_hr,
            "officer": officer, "urumqi": urumqi, "secretary": secretary}


# --- Profiles -----------------------------------------------------------------------

def _education(user, level="bachelor", year=2012, school="新疆大学", major="机械工程"):
    EducationRecord.objects.get_or_create(user=user, level=level, defaults={
        "school": school, "major": major, "graduated_on": dt.date(year, 7, 1)})


def _title(user, level="junior", year=2016):
    engineering = TitleSeries.objects.get(code="engineering")
    names = {"junior": "助理工程师", "intermediate": "工程师", "deputy_senior": "高级工程师"}
    TitleHeld.objects.get_or_create(user=user, series=engineering, level=level, defaults={
        "title_name": names[level], "granted_on": dt.date(year, 9, 1), "certificate_number": f"XJ{year}{user.pk:05d}",
        "granting_body": "乌鲁木齐市人力资源和社会保障局"})
    ContinuingEducation.objects.get_or_create(user=user, year=timezone.localdate().year - 1,
                                              defaults={"hours": Decimal(96)})


# --- Walking an application through its stages ----------------------------------------

class _Walk:
    def __init__(self, bodies: dict):
        self.b = bodies
        self.specialty = (Specialty.objects.filter(series__code="engineering", code__icontains="mechan").first()
                          or Specialty.objects.filter(series__code="engineering").order_by("pk").first())

    def draft(self, user, *, level="intermediate", pathway="regular", channel="employer", sponsor=None, call=None,
              summary="长期从事装备制造领域的设计与工艺改进，主持完成多项技术攻关。"):
        application = svc.application_create(applicant=user, call_id=(call or self.b["call"]).pk,
                                             specialty_id=self.specialty.pk, level=level, pathway=pathway,
                                             channel=channel, sponsor_id=sponsor.pk if sponsor else None)
        svc.application_update_draft(actor=user, application_id=application.pk, data={"summary": summary})
        patent = svc.achievement_add(actor=user, application_id=application.pk, kind="patent",
                                     title="一种高效节能换热装置", role="lead", number="ZL202310123456.7",
                                     achieved_on=dt.date(2023, 6, 1))
        svc.attachment_add(actor=user, application_id=application.pk, material="evidence", upload=_pdf("专利证书.pdf"),
                           achievement_id=patent.pk)
        transformation = svc.achievement_add(actor=user, application_id=application.pk, kind="transformation",
                                             title="换热装置产业化", economic_benefit=Decimal("320.50"),
                                             description="年新增产值三百余万元")
        svc.attachment_add(actor=user, application_id=application.pk, material="evidence",
                           upload=_pdf("经济效益证明.pdf"), achievement_id=transformation.pk)
        for row in svc.application_checklist(application):
            for i in range(row["needed"] - row["have"]):
                svc.attachment_add(actor=user, application_id=application.pk, material=row["material"],
                                   upload=_pdf(f"{row['name']}{i + 1}.pdf"))
        return application

    def submit(self, application):
        return svc.application_submit(actor=application.applicant, application_id=application.pk,
                                      pledge_text=str(svc.PLEDGE_TEXT), pledge_accepted=True, ip_address="127.0.0.1")

    def sponsor_hr(self, application):
        sponsor = application.sponsor_id
        return {self.b["enterprise"].pk: self.b["hr"], self.b["changji_enterprise"].pk: self.b["changji_hr"],
                self.b["university"].pk: self.b["university_hr"]}[sponsor]

    def approve(self, application):
        return svc.application_decide(actor=self.sponsor_hr(application), application_id=application.pk,
                                      action="employer_approve")

    def publicity_over(self, application):
        Application.objects.filter(pk=application.pk).update(
            publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
        svc.unit_publicity_close_due()
        application.refresh_from_db()
        return application

    def accept(self, application):
        actor = self.b["agency_officer"] if application.acceptance_body_id == self.b["agency"].pk else \
            self.b["officer"]
        return svc.application_decide(actor=actor, application_id=application.pk, action="accept")

    def audit(self, application, action="audit_approve", reason=""):
        return svc.application_decide(actor=self.b["officer"], application_id=application.pk, action=action,
                                      reason=reason)


def _scan(name: str) -> SimpleUploadedFile:
    """A small scanned page as a phone sends it (a JPEG)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 840), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 560, 800), outline=(120, 120, 120), width=3)
    for y in range(120, 760, 40):
        draw.line((80, y, 520, y), fill=(190, 190, 190), width=2)
    draw.ellipse((380, 600, 520, 740), outline=(200, 30, 30), width=6)  # the seal
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _returned_and_corrected(b: dict, user: User, application: Application) -> None:
    """The bureau returns the application at the qualification audit (a field, an achievement by
    title, a file by name, the specialty); the applicant corrects three and answers one in words,
    and resubmits."""
    patent = application.achievements.get(kind="patent")
    certificate = application.attachments.filter(material="qualification_certificate").first()
    svc.application_decide(
        actor=b["officer"], application_id=application.pk, action="return",
        reason="资格审核发现以下问题，请一次性补正。",
        corrections=[
            {"target": "summary", "message": "专业技术工作总结过于简略，\n请补充取得职业资格以来的主要工作业绩。"},
            {"target": f"achievement:{patent.pk}", "message": "专利号与专利证书不一致，请核对后修改。"},
            {"target": f"attachment:{certificate.pk}", "message": "资格证书扫描件不清晰，请重新上传。"},
            {"target": "specialty", "message": "请确认申报专业与资格证书专业一致。"},
        ])
    svc.application_update_draft(actor=user, application_id=application.pk, data={
        "summary": "长期从事装备制造领域的设计与工艺改进，主持完成多项技术攻关。2020年取得一级建造师资格以来，"
                   "负责两项厂房改扩建工程的施工管理，组织完成换热装置生产线的工艺优化。"})
    svc.achievement_update(actor=user, application_id=application.pk, achievement_id=patent.pk, kind="patent",
                           title=patent.title, role=patent.role, number="ZL202310123456.8",
                           achieved_on=patent.achieved_on)
    svc.attachment_remove(actor=user, application_id=application.pk, attachment_id=certificate.pk)
    svc.attachment_add(actor=user, application_id=application.pk, material="qualification_certificate",
                       upload=_scan("一级建造师证书（清晰扫描）.jpg"))
    specialty = application.corrections.get(target="specialty")
    svc.correction_answer(actor=user, application_id=application.pk, correction_id=specialty.pk,
                          answer="申报专业为机械工程，与资格证书所列专业一致，无需修改。")
    svc.application_resubmit(actor=user, application_id=application.pk)


def _person(mobile: str, name: str, serial: int, employer: Organization | None, **employment) -> User | None:
    """The person, or None when they already have an application (idempotence)."""
    user = _user(mobile, name, serial)
    if Application.objects.filter(applicant=user).exists():
        return None
    if employer is not None:
        _employ(user, employer, **employment)
    return user


@transaction.atomic
def demo_applications() -> list[tuple[str, str, str]]:
    """Create the demo applications; return (label, login, password) rows."""
    b = _bodies()
    w = _Walk(b)
    enterprise = b["enterprise"]
    today = timezone.localdate()

    # 1. The demo applicant (阿依古丽): a complete draft, ready to sign and submit.
    ayi = User.objects.get(mobile="13900000003")
    if not Application.objects.filter(applicant=ayi).exists():
        _education(ayi, year=2013)
        _title(ayi, "junior", 2017)
        w.draft(ayi)

    # 2. Regular, submitted: waiting for the employer.
    if user := _person("13900001101", "张建新", 101, enterprise):
        _education(user)
        _title(user)
        w.submit(w.draft(user))

    # 3. Exceptional (R3.6), returned by the employer with three corrections; the applicant
    #    has answered one (the summary) and has two to go.
    if user := _person("13900001102", "李娜", 102, enterprise):
        _education(user, year=2015)
        _title(user, "junior", 2023)
        application = w.submit(w.draft(user, pathway="exceptional"))
        patent = application.achievements.get(kind="patent")
        work_summary = application.attachments.filter(material="work_summary").first()
        svc.application_decide(actor=b["hr"], application_id=application.pk, action="return", reason="请补正后再报",
                               corrections=[{"target": "summary", "message": "请补充近三年主要业绩及本人作用"},
                                            {"target": f"attachment:{work_summary.pk}",
                                             "message": "工作总结需加盖单位公章，\n请上传盖章后的扫描件"},
                                            {"target": f"achievement:{patent.pk}",
                                             "message": "专利号与证书不一致，请核对"}])
        svc.application_update_draft(actor=user, application_id=application.pk, data={
            "summary": "长期从事装备制造领域的设计与工艺改进，主持完成多项技术攻关；近三年主持换热装置"
                       "产业化项目，本人负责总体方案与关键工艺。"})

    # 4. Green channel (R4.3), in unit publicity with an objection to answer.
    if user := _person("13900001103", "王磊", 103, enterprise):
        _education(user, "master", 2016, major="材料科学")
        application = w.draft(user, level="deputy_senior", pathway="green_channel")
        svc.application_update_draft(actor=user, application_id=application.pk, data={
            "justification": "主持研发的高端装备打破国外垄断，获自治区科技进步一等奖。"})
        application = w.approve(w.submit(application))
        svc.unit_objection_create(application_id=application.pk, reason="其获奖项目的完成人排名与申报不符",
                                  contact="13812345678")

    # 5. High-skill crossover (R4.6), waiting for acceptance.
    if user := _person("13900001104", "马强", 104, enterprise):
        SkillRecord.objects.get_or_create(user=user, level="technician", defaults={
            "occupation": "数控车工", "obtained_on": today - dt.timedelta(days=5 * 365),
            "certificate_number": "JS2020"})
        w.publicity_over(w.approve(w.submit(w.draft(user, pathway="skills_crossover"))))

    # 6. Qualification correspondence (R4.7), in the qualification audit: the bureau returned it
    #    once and it came back corrected, so the officer sees what changed.
    if user := _person("13900001105", "古丽娜尔", 105, enterprise):
        qualification = Qualification.objects.filter(series__code="engineering", level="intermediate").first()
        if qualification:
            from applications.models import QualificationHeld

            QualificationHeld.objects.get_or_create(user=user, qualification=qualification,
                                                    defaults={"obtained_on": dt.date(2020, 9, 1)})
        application = w.publicity_over(w.approve(w.submit(w.draft(user, pathway="qualification"))))
        w.accept(application)
        _returned_and_corrected(b, user, application)

    # 7. Enterprise postdoc (R4.5), ready for evaluation.
    if user := _person("13900001106", "陈思远", 106, enterprise):
        _education(user, "doctorate", 2021, school="西安交通大学", major="动力工程")
        application = w.draft(user, level="deputy_senior", pathway="postdoc")
        application = w.publicity_over(w.approve(w.submit(application)))
        w.audit(w.accept(application))

    # 8. Recognition by the bureau (R4.4), in the qualification audit.
    if user := _person("13900001107", "刘芳", 107, enterprise):
        _education(user, year=2021, major="电气工程")
        application = w.draft(user, level="junior", pathway="recognition", call=b["recognition"])
        w.accept(w.publicity_over(w.approve(w.submit(application))))

    # 9. Regular, rejected at the qualification audit.
    if user := _person("13900001108", "赵敏", 108, enterprise):
        _education(user)
        _title(user)
        application = w.accept(w.publicity_over(w.approve(w.submit(w.draft(user)))))
        w.audit(application, "audit_reject", reason="助理工程师证书信息与备案记录不一致")

    # 10. Regular, withdrawn by the applicant.
    if user := _person("13900001109", "孙涛", 109, enterprise):
        _education(user)
        _title(user)
        application = w.submit(w.draft(user))
        svc.application_withdraw(actor=user, application_id=application.pk, reason="今年工作调动，明年再报")

    # 11. A freelancer through a talent service agency (R1.4), waiting for acceptance at the agency.
    if user := _person("13900001110", "周晓", 110, None):
        _education(user, year=2011)
        _title(user)
        w.submit(w.draft(user, channel="agency", sponsor=b["agency"]))

    # 12. On leave for entrepreneurship, applying at the original unit (R1.7).
    if user := _person("13900001111", "吴刚", 111, enterprise, original_unit=b["university"],
                       leave_start=today - dt.timedelta(days=400)):
        _education(user, "master", 2014)
        _title(user, "junior", 2016)
        w.submit(w.draft(user, channel="original_unit"))  # reviewed by the university's HR

    # 13. Dispatched from Changji to Urumqi for two years (R1.8), in unit publicity.
    if user := _person("13900001112", "郑伟", 112, b["changji_enterprise"], dispatch_region=b["urumqi"],
                       dispatch_start=today - dt.timedelta(days=800)):
        _education(user)
        _title(user)
        w.approve(w.submit(w.draft(user, channel="dispatch")))

    # 14. Regular, in evaluation (the review app takes over from "ready").
    if user := _person("13900001113", "黄丽", 113, enterprise):
        _education(user)
        _title(user)
        application = w.audit(w.accept(w.publicity_over(w.approve(w.submit(w.draft(user))))))
        svc.application_advance(actor=b["secretary"], application_id=application.pk, action="start_evaluation",
                                roles={workflow.SECRETARY})

    return [
        ("Committee secretary (engineering)", "13900001010", DEMO_PASSWORD),
        ("Talent agency acceptance officer", "13900001013", DEMO_PASSWORD),
        ("University HR (original unit, R1.7)", "13900001014", DEMO_PASSWORD),
        ("Changji enterprise HR (dispatch, R1.8)", "13900001011", DEMO_PASSWORD),
        ("Applicant, returned for correction", "13900001102", DEMO_PASSWORD),
        ("Applicant, freelancer (agency)", "13900001110", DEMO_PASSWORD),
    ]
