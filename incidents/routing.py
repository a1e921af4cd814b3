"""Tiering: which tier and which org unit takes a new incident, and why.

"警务站无限制接警、派出所无条件兜底": a police job goes to the post covering
the zone, else to its station. Non-police jobs go to the street's governance
center. The rules are data (`RoutingRule`), tried in order; the incident keeps
the rule that routed it and a sentence saying why, shown to the dispatcher.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from commandcenter.directory import directory
from commandcenter.models import GovernanceCenter, Post, Station
from incidents.categories import category_ancestors
from incidents.choices import CategoryKind, RoutingTarget, Tier
from incidents.models import IncidentCategory, RoutingRule
from patrol.zone_index import Placement


@dataclass(frozen=True)
class RoutingDecision:
    tier: str
    rule: RoutingRule | None
    reason: str
    governance_center_id: int | None = None


def _matches(rule: RoutingRule, category: IncidentCategory, placement: Placement) -> bool:
    """Every condition of the rule holds; a rule's category covers its whole branch."""
    return (
        (rule.category_id is None or rule.category_id in _lineage(category))
        and (not rule.category_kind or rule.category_kind == category.kind)
        and (rule.station_id is None or rule.station_id == placement.station_id)
        and (rule.street_id is None or rule.street_id == placement.street_id)
        and (not rule.area_class or rule.area_class == placement.area_class)
    )


def _lineage(category: IncidentCategory) -> set[int]:
    return {c.pk for c in category_ancestors(category)}


def _target(target: str, placement: Placement) -> tuple[str, int | None, str]:
    """(tier, governance center id, who takes it) for a rule's target."""
    if target == RoutingTarget.GOVERNANCE_CENTER:
        center_id = placement.governance_center_id
        return Tier.STREET, center_id, directory.get(GovernanceCenter, center_id).name
    station = directory.get(Station, placement.station_id).name
    if target == RoutingTarget.POST_OR_STATION and placement.post_id:
        post = directory.get(Post, placement.post_id).name
        return (
            Tier.POLICE,
            None,
            _("%(post)s, backed up by %(station)s")
            % {
                "post": post,
                "station": station,
            },
        )
    if target == RoutingTarget.COMMAND_CENTER:
        return Tier.POLICE, None, _("the bureau command center")
    return Tier.POLICE, None, station


def incident_route(*, category: IncidentCategory, placement: Placement | None) -> RoutingDecision:
    """Decide the tier and target of a valid (not invalid) call."""
    if placement is None:
        return RoutingDecision(
            tier=Tier.POLICE,
            rule=None,
            reason=_("Outside the district: held by the bureau command center for transfer."),
        )
    for rule in directory.rows(RoutingRule):  # ordered by position
        if rule.active and _matches(rule, category, placement):
            tier, center_id, taker = _target(rule.target, placement)
            reason = _("Rule #%(position)s “%(rule)s”: %(category)s → %(taker)s") % {
                "position": rule.position,
                "rule": rule.name,
                "category": category.name,
                "taker": taker,
            }
            return RoutingDecision(
                tier=tier, rule=rule, reason=reason, governance_center_id=center_id
            )
    # No rule matched: police matters fall to the station, which always backs
    # up ("派出所无条件兜底"); others to the street.
    fallback = (
        RoutingTarget.STATION
        if category.kind == CategoryKind.POLICE
        else RoutingTarget.GOVERNANCE_CENTER
    )
    tier, center_id, taker = _target(fallback, placement)
    reason = _("No routing rule matched: %(category)s → %(taker)s") % {
        "category": category.name,
        "taker": taker,
    }
    return RoutingDecision(tier=tier, rule=None, reason=reason, governance_center_id=center_id)
