"""Migration operations shared by the apps."""

from django.db import migrations


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    """Run SQL (functions, triggers) on PostgreSQL only; SQLite has no such thing."""

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))
