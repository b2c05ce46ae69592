"""VolunteerDataVersion, and the triggers that change an organisation's token when its volunteers change.

A process may keep what matching reads of the volunteers in memory (matching/suggestions.py) and checks
the token in every run, so the triggers must see every write: insert, delete, and an update of a column
matching reads. They live in the database, so they see writes by every process, by bulk updates and by
raw SQL alike. matching/migrations/0004 adds the same triggers to its tables (offers, categories), with
`watch()` below.

PostgreSQL: one statement-level trigger per event (a bulk insert of 10,000 volunteers changes the token
once, not 10,000 times); tokens from a sequence, which a rollback never gives back. SQLite: row-level
triggers, random 64-bit tokens.

SQLite drops a table's triggers when Django remakes the table (some later AlterField or AddField on
SQLite): tests/test_matching.py writes to every watched table and column and checks that the token
changes, on the schema all migrations leave, so such a migration fails the suite instead of going stale.
"""

from django.db import migrations, models

VERSION_TABLE = "netwerken_volunteerdataversion"
SEQUENCE = "netwerken_volunteerdataversion_token_seq"
BUMP = "netwerken_volunteer_data_bump"

VOLUNTEER_COLUMNS = (
    "organisation_id",
    "status",
    "latitude",
    "longitude",
    "max_distance_km",
    "availability",
    "vog_seen",
    "vog_expires",
    "paused_from",
    "paused_until",
    "languages",
    "max_requests_per_month",
)


def _names(table):
    return {event: f"{table}_data_{event}" for event in ("ins", "upd", "del")}


def watch(table, columns=None, through=False):
    """(create, drop) SQL per vendor for the triggers on `table`.

    `columns`: the columns whose update counts (a table with `organisation_id`); `through=True`: a link
    table with `volunteer_id`, whose organisation is the volunteer's, where every write counts.
    """
    names = _names(table)
    function = f"{table}_data_changed"

    # PostgreSQL: the organisations of the rows in a transition table.
    def orgs(rows, alias):
        if through:
            return (
                f"SELECT v.organisation_id FROM {rows} {alias}"
                f" JOIN netwerken_volunteer v ON v.id = {alias}.volunteer_id"
            )
        return f"SELECT {alias}.organisation_id FROM {rows} {alias}"

    if through:
        updated = f"{orgs('old_rows', 'o')} UNION ALL {orgs('new_rows', 'n')}"
    else:
        changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
        updated = (
            "SELECT unnest(ARRAY[o.organisation_id, n.organisation_id]) FROM old_rows o "
            f"JOIN new_rows n ON n.id = o.id WHERE {changed}"
        )
    postgresql = [
        f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM {BUMP}(ARRAY({orgs("new_rows", "r")}));
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM {BUMP}(ARRAY({orgs("old_rows", "r")}));
            ELSE
                PERFORM {BUMP}(ARRAY({updated}));
            END IF;
            RETURN NULL;
        END $$
        """,
        f"CREATE TRIGGER {names['ins']} AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {names['upd']} AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {names['del']} AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
    postgresql_drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name in names.values()] + [
        f"DROP FUNCTION IF EXISTS {function}()"
    ]

    # SQLite: row by row.
    def upsert(row):
        if through:
            source = f"SELECT organisation_id, random() FROM netwerken_volunteer WHERE id = {row}.volunteer_id"
        else:
            source = f"SELECT {row}.organisation_id, random() WHERE {row}.organisation_id IS NOT NULL"
        return (
            f"INSERT INTO {VERSION_TABLE} (organisation_id, token) {source} "
            "ON CONFLICT (organisation_id) DO UPDATE SET token = excluded.token;"
        )

    when = "" if through else "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    sqlite = [
        f"CREATE TRIGGER {names['ins']} AFTER INSERT ON {table} FOR EACH ROW BEGIN {upsert('NEW')} END",
        f"CREATE TRIGGER {names['upd']} AFTER UPDATE ON {table} FOR EACH ROW {when} "
        f"BEGIN {upsert('OLD')} {upsert('NEW')} END",
        f"CREATE TRIGGER {names['del']} AFTER DELETE ON {table} FOR EACH ROW BEGIN {upsert('OLD')} END",
    ]
    sqlite_drop = [f"DROP TRIGGER IF EXISTS {name}" for name in names.values()]
    return {"postgresql": (postgresql, postgresql_drop), "sqlite": (sqlite, sqlite_drop)}


def operation(*watched):
    """A RunPython that creates (and on the way back drops) the triggers of `watch()` results."""

    def run(index):
        def apply(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            for triggers in watched:
                for statement in triggers[vendor][index]:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(0), run(1))


def create_version(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    token = "random()"
    if vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE {SEQUENCE}")
        schema_editor.execute(
            f"""
            CREATE FUNCTION {BUMP}(organisations bigint[]) RETURNS void LANGUAGE sql AS $$
                INSERT INTO {VERSION_TABLE} (organisation_id, token)
                SELECT o, nextval('{SEQUENCE}') FROM (SELECT DISTINCT o FROM unnest(organisations) AS u(o)) s
                WHERE o IS NOT NULL
                ON CONFLICT (organisation_id) DO UPDATE SET token = EXCLUDED.token
            $$
            """
        )
        token = f"nextval('{SEQUENCE}')"
    schema_editor.execute(
        f"INSERT INTO {VERSION_TABLE} (organisation_id, token) SELECT id, {token} FROM netwerken_organisation"
    )


def drop_version(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {BUMP}(bigint[])")
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("netwerken", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="VolunteerDataVersion",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="netwerken.organisation",
                    ),
                ),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_version, drop_version),
        operation(
            watch("netwerken_volunteer", VOLUNTEER_COLUMNS),
            watch("netwerken_volunteer_areas", through=True),
        ),
    ]
