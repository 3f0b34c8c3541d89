from django.db import migrations, models


def encrypt_contacts(apps, schema_editor):
    """Each stored contact in clear becomes its encryption and its masked form (issue 14 item 10)."""
    from portal import personal_data

    UnitObjection = apps.get_model("applications", "UnitObjection")
    for objection in UnitObjection.objects.exclude(contact="").only("pk", "contact").iterator():
        value = objection.contact[:64]
        UnitObjection.objects.filter(pk=objection.pk).update(
            contact_encrypted=personal_data.encrypt(value), contact_masked=personal_data.mask_contact(value))


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0009_submission_receipts'),
    ]

    operations = [
        migrations.AddField(
            model_name='unitobjection',
            name='contact_encrypted',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='unitobjection',
            name='contact_masked',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='contact'),
        ),
        migrations.RunPython(encrypt_contacts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='unitobjection',
            name='contact',
        ),
    ]
