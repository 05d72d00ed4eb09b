"""No condition related to itself, checked by the database.

``Condition.related`` uses the link table Django makes for the many-to-many, so that the
desk can keep editing it with the usual widget (an explicit through model would take the
field out of the admin form). A model-state constraint cannot be declared on such a table,
so the check is added in SQL: a CHECK constraint on PostgreSQL, triggers on SQLite (which
cannot add a constraint to an existing table). Django does not know of either; a later
migration that rebuilds this table on SQLite must add the triggers again.

Existing self-links (a defect: the page linked to itself) are removed first.
"""

from django.db import migrations
from django.db.models import F

TABLE = "kb_condition_related"
NAME = "kb_condition_related_not_self"
POSTGRES = (
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} CHECK (from_condition_id <> to_condition_id)",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}",
)
SQLITE_TRIGGER = (
    "CREATE TRIGGER {name} BEFORE {event} ON {table} "
    "WHEN NEW.from_condition_id = NEW.to_condition_id "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {constraint}'); END"
)


def _statements(vendor: str, *, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES[0 if forward else 1]]
    if vendor == "sqlite":
        names = [(f"{NAME}_insert", "INSERT"), (f"{NAME}_update", "UPDATE")]
        if not forward:
            return [f"DROP TRIGGER IF EXISTS {name}" for name, _ in names]
        return [
            SQLITE_TRIGGER.format(name=name, event=event, table=TABLE, constraint=NAME)
            for name, event in names
        ]
    return []  # another database: the model layer and the desk form still refuse


def add_check(apps, schema_editor):
    Condition = apps.get_model("kb", "Condition")
    Link = Condition.related.through
    Link.objects.using(schema_editor.connection.alias).filter(
        from_condition_id=F("to_condition_id")
    ).delete()
    for sql in _statements(schema_editor.connection.vendor, forward=True):
        schema_editor.execute(sql)


def drop_check(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forward=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0016_condition_merged_into")]

    operations = [migrations.RunPython(add_check, drop_check, elidable=False)]
