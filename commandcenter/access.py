"""The one permission policy: what a user may see and act on.

Every selector, API view and page asks this module. A user's scope comes from
its role and the org unit it is bound to; each scoped model says, in its
`visible_to(scope)` class method, which of its rows a scope reaches.
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from commandcenter.choices import DISTRICT_ROLES, TERMINAL_ROLES, Role


@dataclass(frozen=True)
class Scope:
    role: str
    district_wide: bool = False
    station_id: int | None = None
    post_id: int | None = None
    street_id: int | None = None
    partner_department_id: int | None = None


NO_SCOPE = Scope(role="")


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    if user.is_superuser or user.role in DISTRICT_ROLES:
        return Scope(role=user.role or Role.ADMINISTRATOR, district_wide=True)
    if user.role in (Role.STATION_CHIEF, Role.OFFICER):
        # An officer reads what its unit's station reads; what it may do is
        # narrower (its own unit's steps, positions and jobs).
        return Scope(role=user.role, station_id=user.station_id)
    if user.role == Role.POST_OFFICER:
        # The post's station is in scope for reading who backs the post up;
        # every model checks post_id before station_id.
        return Scope(role=user.role, post_id=user.post_id, station_id=user.post.station_id)
    if user.role == Role.STREET_STAFF:
        return Scope(role=user.role, street_id=user.street_id)
    if user.role == Role.PARTNER:
        return Scope(role=user.role, partner_department_id=user.partner_department_id)
    # A volunteer reads nothing through the policy: the job its own unit is on
    # reaches its terminal through the unit's binding (patrol.UnitOfficer).
    return NO_SCOPE


def located_in(scope: Scope) -> Q:
    """Rows located (by station_id, post_id, street_id columns) where the scope works."""
    if scope.district_wide:
        return Q()
    if scope.post_id:
        return Q(post_id=scope.post_id)
    if scope.station_id:
        return Q(station_id=scope.station_id)
    if scope.street_id:
        return Q(street_id=scope.street_id)
    return Q(pk__in=[])


def visible(queryset: QuerySet, user) -> QuerySet:
    """Restrict `queryset` to the rows `user` may see."""
    scope = scope_of(user)
    if scope is NO_SCOPE:
        return queryset.none()
    condition = queryset.model.visible_to(scope)
    if not condition:  # an empty Q: everything
        return queryset
    # Conditions that follow a to-many relation can repeat rows.
    return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))


def can_view(user, obj: Model) -> bool:
    """May `user` see this one object?"""
    return visible(type(obj).objects.filter(pk=obj.pk), user).exists()


# Which browser console each role may open.
POLICE_ROLES = frozenset({*DISTRICT_ROLES, Role.STATION_CHIEF, Role.POST_OFFICER})
CONSOLE_ROLES = {
    "dispatch": POLICE_ROLES,
    "street": frozenset({Role.STREET_STAFF, Role.ADMINISTRATOR}),
    "station": POLICE_ROLES,
    # 警情查询: every police role and the street (each within its own area).
    "search": POLICE_ROLES | {Role.STREET_STAFF},
    # 指令: the command center issues; stations, posts and governance centers answer.
    "orders": POLICE_ROLES | {Role.STREET_STAFF},
    # 警员终端: a unit's officer works its own unit's job; a volunteer (义警) its
    # own volunteer unit's, in volunteer mode.
    "terminal": TERMINAL_ROLES,
    # 回访: call-takers phone the callers of closed jobs; station chiefs read their station's.
    "callbacks": DISTRICT_ROLES | {Role.STATION_CHIEF},
    # 数据看板: the readers of KPIs (analytics.kpis.READERS), each in its scope.
    "dashboard": POLICE_ROLES | {Role.STREET_STAFF},
    # 智安小区: the smart-secure sites, their sensors and alarms, each in its area.
    "sites": POLICE_ROLES | {Role.STREET_STAFF},
    # 义警: the volunteer teams of the area (masked); their street, station or the
    # command center sends them on patrol.
    "volunteers": POLICE_ROLES | {Role.STREET_STAFF},
    # 一标三实: standard addresses and their households, for the police of the area
    # (residents masked until a purpose is given; never the street or partners).
    "registry": POLICE_ROLES,
    # 走失人员: the police report and work the cases; the street reads its street's.
    "missing": POLICE_ROLES | {Role.STREET_STAFF},
    # 合作部门: a partner department's inbox of referred jobs, its answers and figures.
    "partner": frozenset({Role.PARTNER}),
}


# --- Acting: who may send which units, who may file which calls ---------------------------
#
# The services ask these; the API and the pages only call the services.

# Roles that send units at all; each sends only the units it sees (Unit.visible_to):
# the command center any unit, a station chief its station's and posts', a post officer
# its post's, street staff its street's street forces.
DISPATCHING_ROLES = POLICE_ROLES | {Role.STREET_STAFF}


def may_dispatch(user) -> bool:
    """Does the role send units at all?"""
    return user.is_authenticated and (user.is_superuser or user.role in DISPATCHING_ROLES)


def sendable(queryset: QuerySet, user) -> QuerySet:
    """The units of `queryset` that `user` may send (dispatch), and no others."""
    return visible(queryset, user) if may_dispatch(user) else queryset.none()


@dataclass(frozen=True)
class FilingRight:
    """What a role may file as a call: which sources, whether it sets the
    priority, and where (None: anywhere; else the scope the call's point
    must fall in)."""

    sources: frozenset[str] | None  # None: any source
    default_source: str
    sets_priority: bool
    area: Scope | None
    # The source given is replaced by the role's own, not refused (a partner's system).
    forces_source: bool = False


# Sources by their values (incidents.choices.Source; the core names no app).
PHONE_110, WALK_IN, STREET_TRANSFER, PARTNER_API = (
    "phone_110",
    "walk_in",
    "street_transfer",
    "partner_api",
)


def _only(source: str, *, area: Scope | None, forced: bool = False) -> FilingRight:
    """One source only, the priority from the category."""
    return FilingRight(
        sources=frozenset({source}),
        default_source=source,
        sets_priority=False,
        area=area,
        forces_source=forced,
    )


def filing_right(user) -> FilingRight | None:
    """May `user` file calls, and which? None: it may not file any.

    Call-takers, supervisors and administrators anywhere, any source and
    priority; a station chief or post officer walk-in calls in its area;
    street staff a transfer to the police from its street; a partner
    anywhere, its source forced.
    """
    if not user.is_authenticated:
        return None
    scope = scope_of(user)
    if scope.district_wide:
        return FilingRight(sources=None, default_source=PHONE_110, sets_priority=True, area=None)
    if user.role in (Role.STATION_CHIEF, Role.POST_OFFICER):
        return _only(WALK_IN, area=scope)
    if user.role == Role.STREET_STAFF:
        return _only(STREET_TRANSFER, area=scope)
    if user.role == Role.PARTNER:
        return _only(PARTNER_API, area=None, forced=True)
    return None


def may_report_positions(user, *, gateway_units: frozenset[int] | None) -> bool:
    """Positions come from unit terminals and AVL gateways, not from people at desks:
    an officer or a volunteer for its own unit, a gateway credential for the units
    it names."""
    if not user.is_authenticated:
        return False
    if user.role in TERMINAL_ROLES:
        return True
    return user.role == Role.GATEWAY and gateway_units is not None


def may_report_sensors(user, *, key_kind: str | None) -> bool:
    """Heartbeats and alarms come from smart-site sensor gateways, each with its
    machine key (kind "sensors"): never from a password login."""
    return user.is_authenticated and user.role == Role.GATEWAY and key_kind == "sensors"


def in_area(scope: Scope, *, station_id=None, post_id=None, street_id=None) -> bool:
    """Does a place (its station, post and street) lie where `scope` works?"""
    if scope.district_wide:
        return True
    if scope.post_id:
        return post_id is not None and post_id == scope.post_id
    if scope.station_id:
        return station_id is not None and station_id == scope.station_id
    if scope.street_id:
        return street_id is not None and street_id == scope.street_id
    return False


def may_use_console(user, console: str) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in CONSOLE_ROLES[console])


def consoles_of(user) -> list[str]:
    return [console for console in CONSOLE_ROLES if may_use_console(user, console)]
