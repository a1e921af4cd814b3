"""KPIs of the referral loop (转办): how the partner departments take and handle the
jobs the street centers refer to them.

They are in the one KPI dictionary (after the jobs' and the sites') but read the
referrals themselves (dispatch.Referral), by the day a job was referred (cohort
"referral"), not the job rollups:

- accepted within the accept clock's target (the clock definition "referral-accept":
  what the engine times is what is counted);
- handled on time: answered "handled" by its `expected_at`;
- handling time: referred → answered "handled", in hours (mean and median);
- declined (not its responsibility) and police-needed answers; still open and overdue.

A partner reads its own department's; the district all; a street its street's
referrals; a station its station's.
"""

from datetime import date
from statistics import median

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.kpis import Kpi, kpi_scope, range_errors
from analytics.models import ClockDefinition
from commandcenter.access import NO_SCOPE, Scope, scope_of
from commandcenter.choices import Role
from dispatch.choices import OPEN_REFERRAL_STATUSES, ReferralStatus
from dispatch.models import Referral
from patrol.selectors import local_day_bounds

RS = ReferralStatus
ACCEPT_CLOCK = "referral-accept"

REFERRAL_KPIS = [
    Kpi(
        "referrals",
        gettext_lazy("Jobs referred (转办数)"),
        "count",
        gettext_lazy("jobs a street center referred to a partner department"),
        cohort="referral",
        source="referrals",
    ),
    Kpi(
        "referral_accept_rate",
        gettext_lazy("Referrals accepted in time (转办及时签收率)"),
        "rate",
        gettext_lazy("referrals accepted within the accept clock's target"),
        gettext_lazy("referrals accepted, or not accepted when the target ran out"),
        gettext_lazy("Referrals withdrawn by the street before an answer; ones still in time."),
        target=0.95,
        cohort="referral",
        source="referrals",
    ),
    Kpi(
        "referral_on_time_rate",
        gettext_lazy("Referrals handled on time (转办按时办结率)"),
        "rate",
        gettext_lazy("referrals handled by the time the referral gave"),
        gettext_lazy("referrals handled"),
        target=0.9,
        cohort="referral",
        source="referrals",
    ),
    Kpi(
        "referral_handling_hours",
        gettext_lazy("Referral handling time (转办办理时长)"),
        "hours",
        gettext_lazy("hours from the referral to the department's “handled”"),
        excluded=gettext_lazy("Referrals not handled: declined, sent to the police, still open."),
        higher_is_better=False,
        unit="h",
        cohort="referral",
        source="referrals",
    ),
    Kpi(
        "referral_declined",
        gettext_lazy("Referrals declined (退回街道数)"),
        "count",
        gettext_lazy("referrals the department found not its responsibility"),
        higher_is_better=False,
        cohort="referral",
        source="referrals",
    ),
]

REFERRAL_KPI_CODES = [k.code for k in REFERRAL_KPIS]
# The rates' targets, as the dictionary gives them.
TARGETS = {k.code: k.target for k in REFERRAL_KPIS if k.target is not None}
GROUPS = ("department",)
# Who reads referral figures: the KPI readers, and a partner its own department's.
READERS_EXTRA = frozenset({Role.PARTNER})


def referral_scope(user) -> Scope:
    """The KPI scope of `user`, partners included (their own department);
    PermissionDenied for the roles that read none."""
    scope = scope_of(user)
    if scope is not NO_SCOPE and scope.role in READERS_EXTRA:
        return scope
    return kpi_scope(user)


def _accept_target_s() -> int | None:
    clock = ClockDefinition.objects.filter(code=ACCEPT_CLOCK, active=True).first()
    return clock.target_for(None) if clock else None


def _figures(rows: list[dict], accept_target_s: int | None, now) -> dict:
    referred = len(rows)
    # Judged once accepted, or once the time to accept has run out (not withdrawn).
    measured = [
        r
        for r in rows
        if r["status"] != RS.WITHDRAWN
        and (
            r["accepted_at"] is not None
            or accept_target_s is None
            or (now - r["referred_at"]).total_seconds() > accept_target_s
        )
    ]
    accepted_in_time = sum(
        1
        for r in measured
        if r["accepted_at"] is not None
        and accept_target_s is not None
        and (r["accepted_at"] - r["referred_at"]).total_seconds() <= accept_target_s
    )
    handled = [r for r in rows if r["status"] == RS.HANDLED]
    on_time = sum(1 for r in handled if r["answered_at"] <= r["expected_at"])
    hours = [(r["answered_at"] - r["referred_at"]).total_seconds() / 3600 for r in handled]
    open_rows = [r for r in rows if r["status"] in OPEN_REFERRAL_STATUSES]

    def rate(num: int, den: int) -> dict:
        return {"value": round(num / den, 4) if den else None, "numerator": num, "denominator": den}

    return {
        "referrals": {"value": referred},
        "referral_accept_rate": {
            **rate(accepted_in_time, len(measured)),
            "target": TARGETS["referral_accept_rate"],
            "target_s": accept_target_s,
        },
        "referral_on_time_rate": {
            **rate(on_time, len(handled)),
            "target": TARGETS["referral_on_time_rate"],
        },
        "referral_handling_hours": {
            "n": len(hours),
            "mean": round(sum(hours) / len(hours), 1) if hours else None,
            "p50": round(median(hours), 1) if hours else None,
        },
        "referral_declined": {"value": sum(1 for r in rows if r["status"] == RS.DECLINED)},
        "police_needed": sum(1 for r in rows if r["status"] == RS.POLICE_NEEDED),
        "open": len(open_rows),
        "overdue": sum(1 for r in open_rows if r["expected_at"] < now),
    }


def referral_kpi_query(
    *,
    start: date,
    end: date,
    scope: Scope,
    group_by: str | None = None,
    department: str = "",
    station: str = "",
) -> dict:
    """The referral KPIs of the jobs referred on local days start..end in a scope
    (referral_scope), whole or per department; `department` (a code) narrows to one
    department, `station` (a code) to the jobs of one station."""
    errors = dict(range_errors(start, end))
    if group_by and group_by not in GROUPS:
        errors["group_by"] = _("Group by one of: %(names)s.") % {"names": ", ".join(GROUPS)}
    if errors:
        raise ValidationError(errors)
    begins, _end = local_day_bounds(start)
    _begin, ends = local_day_bounds(end)
    referrals = Referral.objects.filter(
        Referral.visible_to(scope), referred_at__gte=begins, referred_at__lt=ends
    )
    if department:
        referrals = referrals.filter(department__code=department)
    if station:
        referrals = referrals.filter(incident__station__code=station)
    rows = list(
        referrals.values(
            "department_id",
            "department__code",
            "department__name",
            "status",
            "referred_at",
            "accepted_at",
            "answered_at",
            "expected_at",
        )
    )
    target, now = _accept_target_s(), timezone.now()
    result: dict = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "group_by": group_by,
        "figures": _figures(rows, target, now),
    }
    if group_by == "department":
        by: dict[str, list[dict]] = {}
        for row in rows:
            by.setdefault(row["department__code"], []).append(row)
        result["groups"] = [
            {
                "key": code,
                "name": group[0]["department__name"],
                "figures": _figures(group, target, now),
            }
            for code, group in sorted(by.items(), key=lambda item: -len(item[1]))
        ]
    return result
