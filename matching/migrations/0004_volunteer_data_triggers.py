"""What matching reads of a volunteer in its own tables (offers, the categories they chose) changes the
organisation's VolunteerDataVersion token too (see netwerken/migrations/0002)."""

from importlib import import_module

from django.db import migrations

versions = import_module("netwerken.migrations.0002_volunteer_data_version")

OFFER_COLUMNS = ("organisation_id", "volunteer_id", "category_id", "availability", "active")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_signals_digest"),
        ("netwerken", "0002_volunteer_data_version"),
    ]

    operations = [
        versions.operation(
            versions.watch("matching_offer", OFFER_COLUMNS),
            versions.watch("matching_category_volunteers", through=True),
        ),
    ]
