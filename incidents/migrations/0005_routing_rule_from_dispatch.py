"""Routing rules move from dispatch to incidents: routing is intake's decision.

State only here; dispatch 0004 renames the table (dispatch_routingrule →
incidents_routingrule) and drops the model from dispatch's state, so the rows
and every foreign key to them stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('commandcenter', '0004_event_append_function'),
        ('dispatch', '0003_default_routing_rules'),
        ('incidents', '0004_intake_function'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='RoutingRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=100, verbose_name='position')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('category_kind', models.CharField(blank=True, choices=[('police', 'Police matter'), ('non_police', 'Non-police matter')], max_length=12, verbose_name='category kind')),
                ('area_class', models.CharField(blank=True, choices=[('urban', 'Urban'), ('suburban', 'Suburban'), ('rural', 'Rural')], max_length=10, verbose_name='area class')),
                ('target', models.CharField(choices=[('post_or_station', 'Covering post, else its station'), ('station', 'Covering station'), ('governance_center', 'Street governance center'), ('command_center', 'Bureau command center')], max_length=20, verbose_name='target')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='incidents.incidentcategory')),
                ('station', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='commandcenter.station')),
                ('street', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='commandcenter.street')),
            ],
            options={
                'verbose_name': 'routing rule',
                'verbose_name_plural': 'routing rules',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.AlterField(
            model_name='incident',
            name='routing_rule',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='incidents.routingrule'),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
