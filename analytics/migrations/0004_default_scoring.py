"""The default scoring scheme (赋分方案): a veto, base items at the targets, stretch items."""

from django.db import migrations

ITEMS = [
    # tier, name, kpi, comparison, threshold, points, per_workload
    ("veto", "急难警情超时未说明（一票否决）", "breaches_unexplained_p1", "at_most", 0, 0, False),
    ("base", "到场率达标（≥95%）", "arrival_rate", "at_least", 0.95, 20, False),
    ("base", "60秒派警率达标（≥90%）", "dispatch_rate", "at_least", 0.90, 15, False),
    ("base", "签收率达标（≥98%）", "ack_rate", "at_least", 0.98, 10, False),
    ("base", "日清日结率达标（≥90%）", "same_day_rate", "at_least", 0.90, 10, False),
    ("base", "满意率达标（≥95%）", "satisfaction", "at_least", 0.95, 10, False),
    ("stretch", "现场处结率", "on_site_rate", "at_least", None, 10, False),
    ("stretch", "满意率", "satisfaction", "at_least", None, 10, False),
    ("stretch", "每在岗小时警情（工作量）", "workload", "at_least", None, 10, False),
    ("stretch", "每在岗小时超时次数", "breaches", "at_most", None, 5, True),
]


def create(apps, schema_editor):
    Scheme = apps.get_model("analytics", "ScoringScheme")
    Item = apps.get_model("analytics", "ScoringItem")
    scheme, _ = Scheme.objects.get_or_create(
        code="default",
        defaults={
            "name": "班组赋分（默认）",
            "note": "一票否决项不达标计零分；达标项达标得分；加分项按同级最优与最差之间的位置得分。",
        },
    )
    if scheme.items.exists():
        return
    for position, (tier, name, kpi, comparison, threshold, points, per_workload) in enumerate(
        ITEMS, start=1
    ):
        Item.objects.create(
            scheme=scheme,
            tier=tier,
            name=name,
            kpi=kpi,
            comparison=comparison,
            threshold=threshold,
            points=points,
            per_workload=per_workload,
            sort_order=position * 10,
        )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_measuring")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
