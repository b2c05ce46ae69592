"""Volunteer.sort_name: the account's name on the volunteer's own row, so the volunteer list sorts on an index.

Nullable without a default: SQLite adds the column in place and keeps the data-version triggers of 0002.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):
    Volunteer = apps.get_model("netwerken", "Volunteer")
    User = apps.get_model("netwerken", "User")
    name = User.objects.filter(memberships__volunteer=OuterRef("pk")).values("name")[:1]
    Volunteer._base_manager.filter(membership__isnull=False).update(sort_name=Subquery(name))


class Migration(migrations.Migration):
    dependencies = [
        ("netwerken", "0008_outgoing_email_message_id_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="volunteer",
            index=models.Index(fields=["organisation", "sort_name", "id"], name="volunteer_list_order"),
        ),
    ]
