"""Place a point in its patrol zone, station, post, street and sector.

The zones are loaded once into a shapely STRtree; a look-up is a tree query
plus a point-in-polygon test (tens of microseconds). Each process re-checks,
at most every `REFRESH_SECONDS`, whether the zones changed (count and latest
`updated_at`), and rebuilds the tree if so; a process that edits zones calls
`zone_index_invalidate()` after commit to see its own change at once.
"""

import threading
import time
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Placement:
    zone_id: int
    zone_code: str
    station_id: int
    post_id: int | None
    street_id: int
    governance_center_id: int | None
    sector_id: int
    area_class: str


class _ZoneIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tree: STRtree | None = None
        self._geometries: list = []
        self._placements: list[Placement] = []
        self._version: tuple | None = None
        self._checked_at = 0.0

    @staticmethod
    def _current_version() -> tuple:
        from patrol.models import PatrolZone

        summary = PatrolZone.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
        return summary["count"], summary["latest"]

    def _rebuild(self, version: tuple) -> None:
        from commandcenter.models import GovernanceCenter
        from patrol.models import PatrolZone

        center_of_street = dict(GovernanceCenter.objects.values_list("street_id", "id"))
        zones = list(
            PatrolZone.objects.select_related("station")
            .order_by("code")
            .only(
                "id",
                "code",
                "boundary",
                "station_id",
                "post_id",
                "street_id",
                "area_class",
                "station__sector_id",
            )
        )
        geometries = [shape(zone.boundary) for zone in zones]
        for geometry in geometries:
            shapely.prepare(geometry)
        self._placements = [
            Placement(
                zone_id=zone.id,
                zone_code=zone.code,
                station_id=zone.station_id,
                post_id=zone.post_id,
                street_id=zone.street_id,
                governance_center_id=center_of_street.get(zone.street_id),
                sector_id=zone.station.sector_id,
                area_class=zone.area_class,
            )
            for zone in zones
        ]
        self._geometries = geometries
        self._tree = STRtree(geometries) if geometries else None
        self._version = version

    def _ensure_fresh(self) -> None:
        now = time.monotonic()
        if self._version is not None and now - self._checked_at < REFRESH_SECONDS:
            return
        with self._lock:
            if self._version is not None and now - self._checked_at < REFRESH_SECONDS:
                return
            version = self._current_version()
            if version != self._version:
                self._rebuild(version)
            self._checked_at = now

    def invalidate(self) -> None:
        with self._lock:
            self._version = None

    def resolve(self, *, lat: float, lng: float) -> Placement | None:
        self._ensure_fresh()
        if self._tree is None:
            return None
        point = Point(lng, lat)
        # Candidates come sorted by zone code, so a point on a shared border
        # always lands in the same zone: the one with the lowest code.
        candidates = sorted(self._tree.query(point, predicate="intersects"))
        if not candidates:
            return None
        return self._placements[candidates[0]]


_index = _ZoneIndex()


def point_resolve(*, lat: float, lng: float) -> Placement | None:
    """The zone (and its station, post, street, sector) covering a point, or None
    when the point lies outside the district."""
    return _index.resolve(lat=lat, lng=lng)


def zone_index_invalidate() -> None:
    _index.invalidate()
