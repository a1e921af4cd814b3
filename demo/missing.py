"""The demo's missing persons (走失人员): two open searches, one with a sighting,
and one found earlier today, reported through the service as a call-taker would
(so their search notices are in the nearby units' and streets' inboxes)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from community.choices import AddressElement
from community.missing import MissingInput, missing_found, missing_report, sighting_record
from community.missing_models import MissingPerson
from community.registry_models import StandardAddress

CASES = (
    # (name, gender, age, condition, description, minutes ago, contact)
    ("王秀英", "2", 78, "dementia", "身穿蓝色外套、灰色裤子，拄拐杖，说杭州话，记不清家里地址", 40,
     ("李明", "13912345678")),
    ("张子豪", "1", 7, "child", "红色上衣、牛仔裤，背黄色书包，放学后没有回家", 150,
     ("张伟", "13800001234")),
    ("陈国强", "1", 83, "dementia", "白色衬衫，黑色布鞋，左手戴手表", 300, ("陈静", "13700002345")),
)  # fmt: skip


def demo_missing_seed() -> int:
    dispatcher = get_user_model().objects.filter(username="dispatcher").first()
    compounds = list(
        StandardAddress.objects.filter(element=AddressElement.COMPOUND).order_by("code")[:40]
    )
    if dispatcher is None or len(compounds) < 3:
        return 0
    now = timezone.now()
    made = []
    for (name, gender, age, condition, description, minutes, (contact, phone)), place in zip(
        CASES, compounds[::13], strict=False
    ):
        made.append(
            missing_report(
                actor=dispatcher,
                data=MissingInput(
                    name=name, gender=gender, age=age, condition=condition,
                    description=description, last_seen_at=now - timedelta(minutes=minutes),
                    last_seen_place=f"{place.full_name}门口", last_seen_lat=place.lat,
                    last_seen_lng=place.lng, contact_name=contact, contact_phone=phone,
                ),
            )
        )  # fmt: skip
    # The families called about twenty minutes after they last saw them.
    for case in made:
        MissingPerson.objects.filter(pk=case.pk).update(
            reported_at=case.last_seen_at + timedelta(minutes=20)
        )
    if len(made) >= 2:
        second = made[1]
        sighting_record(actor=dispatcher, case_id=second.pk, seen_at=now - timedelta(minutes=45),
                        place="公交站台（便利店店员看到）", lat=second.last_seen_lat + 0.004,
                        lng=second.last_seen_lng + 0.003, note="往西走，一个人")  # fmt: skip
    if len(made) >= 3:
        third = made[2]
        missing_found(actor=dispatcher, case_id=third.pk, found_at=now - timedelta(minutes=90),
                      place="社区公园长椅", found_by="义警 巡逻队", note="已送回家")  # fmt: skip
    return len(made)
