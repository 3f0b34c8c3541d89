"""Names stored with a form of the dot ``portal.names`` did not know before (⸱ U+2E31, ꞏ U+A78F,
ᐧ U+1427, 。 …) are stored again in the one form (买买提·艾力), their comparison key with them, so
that search, duplicate checks (R6.4) and verification find them under every spelling."""

from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q


def clean_names(apps, schema_editor):
    from portal.names import DOTS_ADDED_2026_12, name_clean, name_key

    User = apps.get_model("portal", "User")
    query = reduce(or_, (Q(real_name__contains=dot) for dot in DOTS_ADDED_2026_12))
    batch = []
    for user in User.objects.filter(query).only("pk", "real_name").iterator(chunk_size=500):
        user.real_name = name_clean(user.real_name)
        user.name_key = name_key(user.real_name)
        batch.append(user)
    User.objects.bulk_update(batch, ["real_name", "name_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0021_committee_names_in_english_and_uyghur"),
    ]

    operations = [
        migrations.RunPython(clean_names, migrations.RunPython.noop),
    ]
