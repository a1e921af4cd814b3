"""The partner departments' clocks (issue 16): accept a referral within two hours,
handle it by the time the referral gives (Open311's expected_datetime)."""

from django.db import migrations

HOUR = 3600
CLOCKS = [
    # code, name, start, stop, targets (every area class alike), warnings, due rule, sort
    ("referral-accept", "转办签收时限", "referred_partner", "referral_accepted",
     2 * HOUR, [30 * 60], "after_start", 80),
    ("referral-handle", "转办办结时限", "referred_partner", "referral_answered",
     None, [4 * HOUR], "expected", 90),
]


def forward(apps, schema_editor):
    ClockDefinition = apps.get_model("analytics", "ClockDefinition")
    for code, name, start, stop, target, warn, rule, sort_order in CLOCKS:
        ClockDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "subject": "incident",
                "start": start,
                "stop": stop,
                "tier": "",
                "target_urban_s": target,
                "target_suburban_s": target,
                "target_rural_s": target,
                "target_other_s": target,
                "warn_before_s": warn,
                "due_rule": rule,
                "sort_order": sort_order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0009_referral_points")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
