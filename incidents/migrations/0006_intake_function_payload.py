"""Intake's function again, generated from Python (incidents/intake_sql.py):
event payloads now carry the names and address a console shows."""

from django.db import migrations

from commandcenter.db.migrations import postgresql_sql
from incidents.intake_sql import intake_function_sql


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_routing_rule_from_dispatch"),
        ("dispatch", "0004_routing_rule_to_incidents"),
    ]

    # Backwards keeps the newer function: 0004's text would still be correct SQL,
    # and payloads with more keys break no reader.
    operations = [postgresql_sql(intake_function_sql(), "SELECT 1;")]
