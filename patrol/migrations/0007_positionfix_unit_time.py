"""One fix per unit and instant (issue 17): resent batches are not stored twice.

Fixes stored twice before this keep their first row, then the unique
constraint takes over the old (unit, recorded_at) index's work.
"""

from django.db import migrations, models


def duplicates_delete(apps, schema_editor):
    table = apps.get_model("patrol", "PositionFix")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        sql = (
            f"DELETE FROM {table} AS later USING {table} AS first "
            "WHERE later.unit_id = first.unit_id AND later.recorded_at = first.recorded_at "
            "AND later.id > first.id"
        )
    else:
        sql = (
            f"DELETE FROM {table} WHERE id NOT IN "
            f"(SELECT MIN(id) FROM {table} GROUP BY unit_id, recorded_at)"
        )
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("patrol", "0006_zone_community_officer"),
    ]

    operations = [
        migrations.RunPython(duplicates_delete, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="positionfix",
            constraint=models.UniqueConstraint(
                fields=("unit", "recorded_at"), name="positionfix_unit_time"
            ),
        ),
        migrations.RemoveIndex(
            model_name="positionfix",
            name="patrol_posi_unit_id_559904_idx",
        ),
    ]
