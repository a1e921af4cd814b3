"""The default clocks (ANALYTICS.md, the seeds) and delay reasons."""

from django.db import migrations

MINUTE = 60
CLOCKS = [
    # code, name, subject, start, stop, tier, targets (urban, suburban, rural, other),
    # warnings, at_risk, remind, supervise after, escalate, due rule
    ("dispatch", "派警时限", "incident", "received", "dispatched", "police",
     (60, 60, 60, 60), [30], False, True, 10 * MINUTE, False, "after_start"),
    ("acknowledge", "签收时限（1分钟响应）", "incident", "dispatched", "acknowledged", "police",
     (60, 60, 60, 60), [], False, True, None, False, "after_start"),
    ("arrival", "到场时限（城区5分钟、城郊10分钟）", "incident", "received", "on_scene", "police",
     (5 * MINUTE, 10 * MINUTE, 15 * MINUTE, None), [60], True, True, 10 * MINUTE, False,
     "after_start"),
    ("street-accept", "街道签收时限", "incident", "diverted", "accepted", "street",
     (120, 120, 120, 120), [60], False, True, None, False, "after_start"),
    ("street-arrival", "街道到场时限（5分钟到场）", "incident", "accepted", "on_scene", "street",
     (5 * MINUTE,) * 4, [60], True, True, 10 * MINUTE, False, "after_start"),
    ("same-day", "日清日结", "incident", "received", "closed", "",
     (None, None, None, None), [3600], False, False, None, False, "end_of_day"),
    ("supervision-answer", "督办回复时限", "order", "order_issued", "order_answered", "",
     (None, None, None, 30 * MINUTE), [10 * MINUTE], False, False, None, True, "after_start"),
]
REASONS = [
    ("road-congestion", "道路堵塞"),
    ("caller-location-unclear", "报警人位置不清"),
    ("short-of-units", "警力不足"),
    ("on-another-job", "正在处置其他警情"),
    ("vehicle-breakdown", "车辆故障"),
    ("bad-weather", "恶劣天气"),
    ("other", "其他"),
]


def forward(apps, schema_editor):
    ClockDefinition = apps.get_model("analytics", "ClockDefinition")
    for position, row in enumerate(CLOCKS):
        code, name, subject, start, stop, tier, targets, warn, at_risk, remind, supervise, escalate, rule = row
        ClockDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "subject": subject,
                "start": start,
                "stop": stop,
                "tier": tier,
                "target_urban_s": targets[0],
                "target_suburban_s": targets[1],
                "target_rural_s": targets[2],
                "target_other_s": targets[3],
                "warn_before_s": warn,
                "at_risk": at_risk,
                "remind": remind,
                "supervise_after_s": supervise,
                "escalate": escalate,
                "due_rule": rule,
                "order_kind": "supervision" if subject == "order" else "",
                "sort_order": (position + 1) * 10,
            },
        )
    DelayReason = apps.get_model("analytics", "DelayReason")
    for position, (code, name) in enumerate(REASONS):
        DelayReason.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": (position + 1) * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
