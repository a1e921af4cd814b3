"""The demo's referral loop (转办): jobs of the demo street that its governance center
referred to 城管 and the other departments, through the services as people would:
some waiting for the department, some accepted with progress, one handled (for the
street to close), one declined (back with the street), one overdue. And the demo
partner system's machine key, for Open311 and the API."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from commandcenter.directory import directory
from commandcenter.geodesy import distance_m
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind, PartnerDepartment
from community.choices import AddressElement
from community.registry_models import StandardAddress
from dispatch import referrals
from dispatch.models import Referral
from dispatch.services import incident_refer
from incidents.models import IncidentCategory
from incidents.services import incident_accept, incident_create

# A fixed key, so the README's Open311 examples work on every demo: demo only.
DEMO_PARTNER_KEY_PREFIX = "demo0016"
DEMO_PARTNER_KEY_SECRET = "tianshu-demo-partner-chengguan"
DEMO_PARTNER_KEY = f"tsk_{DEMO_PARTNER_KEY_PREFIX}_{DEMO_PARTNER_KEY_SECRET}"

JOBS = (
    # (category, description, department index, the department's steps, hours ago referred)
    ("complaint", "小区门口流动摊贩占道经营，堵住消防通道", 0, (), 0.3),
    ("neighbour_dispute", "夜间工地施工噪音扰民，已持续一周", 0, (), 1.2),
    ("complaint", "沿街商铺油烟直排，楼上住户投诉", 0, ("accept",), 3),
    ("neighbour_dispute", "邻居在楼道堆放杂物，占用消防通道", 0, ("accept", "progress"), 5),
    ("complaint", "违章搭建的彩钢棚，邻居反映有安全隐患", 0, ("accept", "handled"), 26),
    ("consumer_dispute", "超市出售过期食品，顾客要求处理", 1, ("accept",), 2),
    ("consumer_dispute", "饭店拒不退还预付卡余额", 0, ("declined",), 4),
    ("complaint", "公园绿化带被占用堆放杂物", 0, ("accept",), 80),
)
# Farther apart than the repeat-call radius (INCIDENT_REPEAT_RADIUS_M, 300 m).
APART_M = 320

PROGRESS = "已派执法队员到现场核实，责令当事人限期整改"
HANDLED = "摊位已清理，当事人已签字承诺不再占道"
DECLINED = "属消费纠纷，应由市场监管部门处理"


def demo_referrals_seed() -> int:
    """Write the demo's referred jobs; returns how many."""
    users = get_user_model().objects
    dispatcher = users.filter(username="dispatcher").first()
    street_staff = users.filter(username="street_staff").first()
    partner = users.filter(username="partner").first()
    if dispatcher is None or street_staff is None or partner is None:
        return 0
    departments = list(PartnerDepartment.objects.order_by("pk"))
    places = _apart(
        StandardAddress.objects.filter(
            element=AddressElement.COMPOUND, street_id=street_staff.street_id
        ).order_by("code")
    )
    if not places or not departments:
        return 0
    now = timezone.now()
    made = 0
    seen: dict[str, int] = {}
    for index, (category, description, department, steps, hours) in enumerate(JOBS):
        # Calls of one kind at one place within the repeat window are one incident:
        # each kind of call goes to places far enough apart.
        group = directory.by_code(IncidentCategory, category).group
        place = places[seen.get(group, 0) % len(places)]
        seen[group] = seen.get(group, 0) + 1
        incident = incident_create(
            actor=dispatcher,
            category=category,
            description=description,
            lat=place.lat,
            lng=place.lng,
            address=place.full_name,
            caller_phone=f"1390000{index:04d}",
            caller_name="王先生",
        )
        if incident.street_id != street_staff.street_id or incident.status != "diverted":
            continue
        incident_accept(actor=street_staff, incident_id=incident.pk)
        incident_refer(
            actor=street_staff,
            incident_id=incident.pk,
            to=departments[department].code,
            notes="请协助处理",
        )
        referral = Referral.objects.get(incident=incident, status="referred")
        # Referred some hours ago, to be handled 72 h after (the overdue one is past it).
        referred_at = now - timedelta(hours=hours)
        Referral.objects.filter(pk=referral.pk).update(
            referred_at=referred_at, expected_at=referred_at + timedelta(hours=72)
        )
        actor = partner if departments[department].pk == partner.partner_department_id else None
        if actor is not None:
            _steps(actor=actor, incident_id=incident.pk, steps=steps)
            # Taken some minutes after it came (the overdue one late, after 3 h).
            taken = referred_at + timedelta(minutes=180 if hours > 72 else 25 + 10 * index)
            Referral.objects.filter(pk=referral.pk, accepted_at__isnull=False).update(
                accepted_at=taken
            )
        made += 1
    _partner_key(partner)
    return made


def _apart(compounds) -> list[StandardAddress]:
    """Compounds far enough apart that no call is taken for a repeat of another."""
    chosen: list[StandardAddress] = []
    for place in compounds:
        if all(distance_m(place.lat, place.lng, c.lat, c.lng) > APART_M for c in chosen):
            chosen.append(place)
        if len(chosen) == len(JOBS):
            break
    return chosen


def _steps(*, actor, incident_id: int, steps: tuple[str, ...]) -> None:
    for step in steps:
        if step == "accept":
            referrals.referral_accept(actor=actor, incident_id=incident_id)
        elif step == "progress":
            referrals.referral_progress(actor=actor, incident_id=incident_id, notes=PROGRESS)
        elif step == "handled":
            referrals.referral_answer(
                actor=actor, incident_id=incident_id, answer="handled", notes=HANDLED
            )
        elif step == "declined":
            referrals.referral_answer(
                actor=actor, incident_id=incident_id, answer="declined", notes=DECLINED
            )


def _partner_key(partner) -> None:
    """The demo partner system's machine key, with a published secret: demo only."""
    machine_key_create(
        actor=None,
        name="演示城管业务系统",
        kind=MachineKeyKind.PARTNER,
        user=partner,
        fixed=(DEMO_PARTNER_KEY_PREFIX, DEMO_PARTNER_KEY_SECRET),
    )
