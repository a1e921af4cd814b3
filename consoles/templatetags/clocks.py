"""The clocks of a job in templates, from the one arrival standard."""

from django import template

from commandcenter.choices import arrival_seconds
from commandcenter.directory import directory
from patrol.models import PatrolZone

register = template.Library()


@register.simple_tag
def arrival_limit(incident) -> int | str:
    """Seconds after the call by which a unit should be on scene (by the zone's
    area class); empty for a point with no zone, which runs no arrival clock."""
    zone = directory.get(PatrolZone, incident.zone_id)
    limit = arrival_seconds(zone.area_class if zone else None)
    return "" if limit is None else limit
