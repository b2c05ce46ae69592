from django.db import migrations, models

import netwerken.models


def give_each_a_message_id(apps, schema_editor):
    """Every mail not sent yet gets its own Message-ID (the field's default is computed once for all rows)."""
    OutgoingEmail = apps.get_model("netwerken", "OutgoingEmail")
    for pk in OutgoingEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True).iterator():
        OutgoingEmail.objects.filter(pk=pk).update(message_id=netwerken.models.new_message_id())


class Migration(migrations.Migration):
    dependencies = [
        ("netwerken", "0007_volunteer_suggestions_requested_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="message_id",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="message_id",
            field=models.CharField(blank=True, default=netwerken.models.new_message_id, max_length=255),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="sending_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(give_each_a_message_id, migrations.RunPython.noop, elidable=True),
    ]
