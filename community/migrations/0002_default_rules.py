"""The alarm rules a district starts with (an administrator edits them)."""

from django.db import migrations

# (alarm type, priorities 1..n, site grade at least, action, job category, hold seconds)
RULES = [
    ("emergency_button", None, None, "incident", "", 0),
    ("intrusion", 2, None, "incident", "", 0),
    ("intrusion", None, 3, "incident", "", 0),
    ("intrusion", None, None, "review", "", 0),
    # Smoke and gas detectors clear themselves often: a short hold lets a recovery in first.
    ("smoke", 2, None, "incident", "fire", 15),
    ("smoke", None, None, "review", "", 0),
    ("gas", 2, None, "incident", "fire", 15),
    ("gas", None, None, "review", "", 0),
    ("ebike_fire", 2, None, "incident", "fire", 10),
    ("ebike_fire", None, None, "review", "", 0),
    ("elevator_trapped", None, None, "incident", "assistance", 0),
    ("tailgating", None, None, "review", "", 0),
    ("loitering", None, None, "review", "", 0),
    ("tripwire", None, None, "review", "", 0),
    ("crowd", None, None, "review", "", 0),
    ("tamper", None, None, "review", "", 0),
    ("video_loss", None, None, "record", "", 0),
    ("device_fault", None, None, "record", "", 0),
    # Anything else a person looks at.
    ("", None, None, "review", "", 0),
]


def forward(apps, schema_editor):
    AlarmRule = apps.get_model("community", "AlarmRule")
    IncidentCategory = apps.get_model("incidents", "IncidentCategory")
    categories = {c.code: c for c in IncidentCategory.objects.all()}
    for alarm_type, max_priority, min_grade, action, category, hold in RULES:
        AlarmRule.objects.create(
            alarm_type=alarm_type,
            max_priority=max_priority,
            min_grade=min_grade,
            action=action,
            category=categories.get(category) if category else None,
            hold_seconds=hold,
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial"), ("incidents", "0002_standard_categories")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
