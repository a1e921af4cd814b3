"""Routing rules now belong to incidents (its migration 0005 takes the model
into its state): rename the table and forget the model here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0003_default_routing_rules'),
        ('incidents', '0005_routing_rule_from_dispatch'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='routingrule', table='incidents_routingrule'),
            ],
            state_operations=[migrations.DeleteModel(name='RoutingRule')],
        ),
    ]
