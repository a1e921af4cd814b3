"""The standard incident categories, invalid-call reasons and result codes."""

from django.db import migrations

CATEGORIES = [
    # code, name, kind, repeat group, default priority
    ("criminal", "刑事案件", "police", "criminal", 1),
    ("public_order", "治安案件", "police", "public_order", 2),
    ("traffic", "交通事故", "police", "traffic", 2),
    ("fire", "火灾", "police", "fire", 1),
    ("missing_person", "人员走失", "police", "missing_person", 1),
    ("alarm", "感知告警", "police", "alarm", 2),
    ("dispute", "纠纷", "non_police", "dispute", 3),
    ("assistance", "求助", "non_police", "assistance", 3),
    ("inquiry", "咨询", "non_police", "inquiry", 4),
    ("complaint", "投诉", "non_police", "complaint", 4),
    ("misdial", "误拨", "invalid", "invalid", 4),
    ("prank", "骚扰恶作剧", "invalid", "invalid", 4),
    ("silent", "无声电话", "invalid", "invalid", 4),
    ("repeat", "重复报警", "invalid", "invalid", 4),
]

RESULT_CODES = [
    # code, name, GA/T 2000.152 style code, tier ("" = both)
    ("settled_on_site", "现场处置完毕", "01", ""),
    ("case_opened", "已立案", "02", "police"),
    ("referred", "移交相关部门", "03", ""),
    ("mediated", "调解成功", "04", ""),
    ("assisted", "求助已处理", "05", ""),
    ("no_police_matter", "非警务事项", "06", "police"),
    ("false_report", "谎报误报", "07", "police"),
    ("other", "其他", "99", ""),
]


def forward(apps, schema_editor):
    IncidentCategory = apps.get_model("incidents", "IncidentCategory")
    ResultCode = apps.get_model("incidents", "ResultCode")
    for position, (code, name, kind, group, priority) in enumerate(CATEGORIES, start=1):
        IncidentCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "group": group,
                      "default_priority": priority, "sort_order": position * 10},
        )
    for position, (code, name, gat_code, tier) in enumerate(RESULT_CODES, start=1):
        ResultCode.objects.update_or_create(
            code=code,
            defaults={"name": name, "gat_code": gat_code, "for_tier": tier,
                      "sort_order": position * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
