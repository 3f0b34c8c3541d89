"""Fill the call counters (statuses and reviews) for the data that exists
before they were kept by the services (issue 15). The same recount as
``manage.py tallies_rebuild``, with the historical models."""

from django.db import migrations
from django.db.models import Count, Exists, OuterRef, Q

RECOGNITION_PATHWAYS = ("recognition", "postdoc", "skills_crossover", "qualification")
FORWARDED_STATUSES = ("ready", "in_evaluation", "passed", "failed", "result_publicity", "granted")


def fill(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    CallStatusCount = apps.get_model("applications", "CallStatusCount")
    Assignment = apps.get_model("review", "Assignment")
    ResultRecord = apps.get_model("review", "ResultRecord")
    ExpertCallTally = apps.get_model("review", "ExpertCallTally")
    decided = Exists(ResultRecord.objects.filter(application=OuterRef("pk")))
    rows = (Application.objects.exclude(pathway__in=RECOGNITION_PATHWAYS)
            .filter(Q(status__in=FORWARDED_STATUSES) | (Q(status="revoked") & Q(decided)))
            .order_by().values("call_id", "status").annotate(n=Count("pk")))
    CallStatusCount.objects.bulk_create([CallStatusCount(**r) for r in rows], batch_size=1000)
    active = Q(status="active")
    tallies = (Assignment.objects.order_by().values("application__call_id", "expert_user_id")
               .annotate(assigned=Count("pk", filter=active),
                         submitted=Count("pk", filter=active & Q(score__status="submitted")),
                         drafts=Count("pk", filter=active & Q(score__status="draft")),
                         recused=Count("pk", filter=Q(status="recused"))))
    ExpertCallTally.objects.bulk_create([
        ExpertCallTally(call_id=t.pop("application__call_id"), **t) for t in tallies], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0003_expert_call_tallies"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
