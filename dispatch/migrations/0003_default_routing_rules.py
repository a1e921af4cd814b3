"""Default routing: non-police jobs to the street, police jobs to the post or station."""

from django.db import migrations

RULES = [
    # position, name, category kind, category code, target
    (10, "火灾由派出所兜底", "", "fire", "station"),
    (20, "非警务类分流至街道综治中心", "non_police", None, "governance_center"),
    (30, "警务类由警务站接警、派出所兜底", "police", None, "post_or_station"),
]


def forward(apps, schema_editor):
    RoutingRule = apps.get_model("dispatch", "RoutingRule")
    IncidentCategory = apps.get_model("incidents", "IncidentCategory")
    for position, name, kind, category_code, target in RULES:
        category = IncidentCategory.objects.get(code=category_code) if category_code else None
        RoutingRule.objects.get_or_create(
            name=name,
            defaults={"position": position, "category_kind": kind, "category": category,
                      "target": target},
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_initial"), ("incidents", "0002_standard_categories")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
