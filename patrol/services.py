"""Writes of patrol: zones (with their geometry checked) and units."""

from django.core.exceptions import ValidationError
from django.db import transaction
from shapely.geometry import shape

from commandcenter.services import event_record
from patrol.models import PatrolZone
from patrol.zone_index import zone_index_invalidate


def _validate_polygon(geojson: dict) -> None:
    try:
        geometry = shape(geojson)
    except Exception as error:  # shapely raises several types for malformed GeoJSON
        raise ValidationError({"boundary": f"Not a GeoJSON geometry: {error}"}) from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"boundary": "A zone boundary must be a Polygon."})
    if not geometry.is_valid or geometry.is_empty:
        raise ValidationError({"boundary": "The polygon is empty or crosses itself."})


@transaction.atomic
def patrol_zone_save(*, zone: PatrolZone, actor=None) -> PatrolZone:
    """Create or change a zone; every process's zone index sees it after commit."""
    _validate_polygon(zone.boundary)
    if zone.post_id and zone.post.station_id != zone.station_id:
        raise ValidationError({"post": "The post must belong to the zone's station."})
    created = zone.pk is None
    zone.full_clean()
    zone.save()
    event_record(
        kind="zone.created" if created else "zone.changed",
        subject=zone,
        actor=actor,
        payload={"code": zone.code, "name": zone.name},
        station_id=zone.station_id,
        post_id=zone.post_id,
        street_id=zone.street_id,
    )
    transaction.on_commit(zone_index_invalidate)
    return zone
