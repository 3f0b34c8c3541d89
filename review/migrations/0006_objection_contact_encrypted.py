from django.db import migrations, models


def encrypt_contacts(apps, schema_editor):
    """Each result-publicity objector's contact stored in clear becomes its encryption and its masked
    form, as unit-publicity objections and fraud reports keep theirs (issue 14 item 10)."""
    from portal import personal_data

    Objection = apps.get_model("review", "Objection")
    for objection in Objection.objects.exclude(contact="").only("pk", "contact").iterator():
        value = objection.contact[:64]
        Objection.objects.filter(pk=objection.pk).update(
            contact_encrypted=personal_data.encrypt(value), contact_masked=personal_data.mask_contact(value))


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0005_merge_20261203_2110'),
    ]

    operations = [
        migrations.AddField(
            model_name='objection',
            name='contact_encrypted',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='objection',
            name='contact_masked',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='contact'),
        ),
        migrations.RunPython(encrypt_contacts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='objection',
            name='contact',
        ),
    ]
