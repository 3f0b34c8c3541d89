from django.db import migrations


def name_accounts_not_mobiles(apps, schema_editor):
    """django-axes stored successful logins (and, before ``AXES_USERNAME_CALLABLE``, failures) by the
    mobile or ID number typed. Each such row now says ``user:<pk>`` or a keyed hash instead, as new
    rows do (issue 14 item 6)."""
    from portal.security import axes_stored_username

    from django.db.models import F

    users = apps.get_model("portal", "User").objects

    def typed(model):
        return model.objects.exclude(username__startswith="user:").exclude(username__startswith="unknown:") \
            .exclude(username__isnull=True).exclude(username="")

    for name in ("AccessLog", "AccessFailureLog"):
        rows = typed(apps.get_model("axes", name))
        for login in list(rows.values_list("username", flat=True).distinct()):
            rows.filter(username=login).update(username=axes_stored_username(login, users=users))
    # Attempts are unique by (username, address, browser): a mobile's and an ID number's rows of one
    # account from one browser become one row with their failures added up.
    attempts = apps.get_model("axes", "AccessAttempt")
    for row in list(typed(attempts)):
        name = axes_stored_username(row.username, users=users)
        same = attempts.objects.filter(username=name, ip_address=row.ip_address, user_agent=row.user_agent)
        if same.exists():
            same.update(failures_since_start=F("failures_since_start") + row.failures_since_start)
            row.delete()
        else:
            attempts.objects.filter(pk=row.pk).update(username=name)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0015_api_tokens_hashed"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(name_accounts_not_mobiles, migrations.RunPython.noop),
    ]
