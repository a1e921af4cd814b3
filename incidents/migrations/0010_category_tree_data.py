"""The category tree in the GA/T style: sub-types under the top categories, with
the words callers use, and 119 / 120 linkage for fire and medical calls."""

from django.db import migrations

# code, name, parent code, synonyms, default priority (None: the parent's)
SUBCATEGORIES = [
    ("theft", "盗窃", "criminal", "偷 被偷 失窃 丢了", 2),
    ("burglary", "入室盗窃", "theft", "入室 撬门 撬锁 家里被偷", 1),
    ("ebike_theft", "电动车被盗", "theft", "电动车 电瓶车 电驴 自行车被偷", 3),
    ("pickpocket", "扒窃", "theft", "扒手 小偷 偷手机 偷钱包", 2),
    ("robbery", "抢劫抢夺", "criminal", "抢劫 抢夺 抢包 飞车抢 抢手机", 1),
    ("fraud", "诈骗", "criminal", "电信诈骗 骗钱 被骗 转账 刷单", 2),
    ("assault", "故意伤害", "criminal", "砍人 捅人 伤人 受伤", 1),
    ("fight", "打架斗殴", "public_order", "打架 斗殴 打人 群殴", 1),
    ("provocation", "寻衅滋事", "public_order", "滋事 闹事 醉酒闹事 耍酒疯", 2),
    ("gambling", "赌博", "public_order", "聚赌 赌钱", 3),
    ("traffic_injury", "人员受伤交通事故", "traffic", "撞人 车祸 受伤 撞倒", 1),
    ("traffic_damage", "财产损失交通事故", "traffic", "剐蹭 追尾 擦碰 刮车", 3),
    ("neighbour_dispute", "邻里纠纷", "dispute", "邻居 噪音 漏水 楼上", None),
    ("family_dispute", "家庭纠纷", "dispute", "家暴 夫妻吵架 家里吵架", 2),
    ("consumer_dispute", "消费纠纷", "dispute", "退款 商家 买东西 欠薪", None),
    ("lockout", "开锁求助", "assistance", "开锁 锁门外 钥匙丢", None),
    ("lost_item", "寻物求助", "assistance", "丢东西 失物 找东西", None),
]
TOP_SYNONYMS = {
    "criminal": "刑事",
    "public_order": "治安",
    "traffic": "车祸 交通",
    "fire": "着火 失火 起火 冒烟",
    "missing_person": "走失 找人 孩子丢了 老人走丢",
    "dispute": "吵架 矛盾",
    "assistance": "帮忙 求救",
}
LINKAGE = {"fire": "119"}
MEDICAL = ("medical", "医疗急救", "police", "medical", 1, "晕倒 昏迷 急救 救护车 受伤流血", "120")


def forward(apps, schema_editor):
    IncidentCategory = apps.get_model("incidents", "IncidentCategory")
    for code, synonyms in TOP_SYNONYMS.items():
        IncidentCategory.objects.filter(code=code).update(synonyms=synonyms)
    for code, linkage in LINKAGE.items():
        IncidentCategory.objects.filter(code=code).update(linkage=linkage)
    code, name, kind, group, priority, synonyms, linkage = MEDICAL
    fire = IncidentCategory.objects.get(code="fire")
    IncidentCategory.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "group": group, "default_priority": priority,
                  "synonyms": synonyms, "linkage": linkage, "sort_order": fire.sort_order + 5},
    )
    for code, name, parent_code, synonyms, priority in SUBCATEGORIES:
        parent = IncidentCategory.objects.get(code=parent_code)
        IncidentCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "parent": parent, "kind": parent.kind, "group": parent.group,
                      "default_priority": priority or parent.default_priority,
                      "synonyms": synonyms, "linkage": parent.linkage,
                      # Listed under its parent (incidents.categories orders the tree).
                  "sort_order": parent.sort_order},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_category_tree")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
