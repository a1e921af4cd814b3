"""Deterministic demo district for Tianshu: a fictional "上城区" the size of Hangzhou Shangcheng.

The command-center platform needs a believable jurisdiction to run against in development,
demos, load tests and simulations: a district boundary, 3 sectors (战区), 17 police stations
(派出所), 4 police posts (警务站), 14 streets (街道) with their governance centers (综治中心),
about 70 patrol zones (防区) that tile the district, shift teams (班组), about 150 units and
the partner departments that diverted jobs go to.

This module builds all of that from a fixed seed and returns plain frozen dataclasses. It has
no Django imports on purpose: loaders (management commands, fixtures, tests, the simulator)
turn the plan into model rows, and the geometry can be checked without a database.

Names and rough positions follow the real Shangcheng district (after the 2021 merger with
Jianggan), but every boundary, zone, address and unit is invented for the demo.

Coordinates are WGS84; shapely geometries use (lng, lat) order. Geometry work happens in a
local metric plane (an equirectangular projection around the district) so that Voronoi cells
and distances are isotropic, and everything is converted to lng/lat at the end.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DistrictPlan",
    "PartnerDepartmentPlan",
    "PostPlan",
    "SectorPlan",
    "StationPlan",
    "StreetPlan",
    "TeamPlan",
    "UnitPlan",
    "ZonePlan",
    "DEFAULT_SEED",
    "UNIT_TYPES",
    "area_m2",
    "build_demo_district",
]

DEFAULT_SEED = 20211

# --------------------------------------------------------------------------------------------
# Local projection
# --------------------------------------------------------------------------------------------

# Equirectangular scale factors. Over a district ~15 km across the error against a proper
# projection is well under 1%, which is plenty for areas, spacing and demo distances.
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LNG_AT_EQUATOR = 111_320.0


def area_m2(geometry: BaseGeometry) -> float:
    """Area of a lng/lat geometry in square metres (local equirectangular projection).

    The longitude scale uses the latitude at the middle of the geometry's bounding box, so the
    result is accurate for anything up to city size.
    """
    if geometry.is_empty:
        return 0.0
    _, min_lat, _, max_lat = geometry.bounds
    mid_lat = math.radians((min_lat + max_lat) / 2.0)
    metres_per_degree_lng = METRES_PER_DEGREE_LNG_AT_EQUATOR * math.cos(mid_lat)
    return float(geometry.area) * METRES_PER_DEGREE_LAT * metres_per_degree_lng


@dataclass(frozen=True)
class _LocalFrame:
    """Metric plane (x east, y north, metres) around a reference lng/lat."""

    origin_lng: float
    origin_lat: float

    @property
    def _metres_per_degree_lng(self) -> float:
        return METRES_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(self.origin_lat))

    def to_xy(self, lng: float, lat: float) -> tuple[float, float]:
        x = (lng - self.origin_lng) * self._metres_per_degree_lng
        y = (lat - self.origin_lat) * METRES_PER_DEGREE_LAT
        return x, y

    def to_lnglat(self, x: float, y: float) -> tuple[float, float]:
        lng = self.origin_lng + x / self._metres_per_degree_lng
        lat = self.origin_lat + y / METRES_PER_DEGREE_LAT
        return lng, lat

    def geometry_to_lnglat(self, geometry: Polygon) -> Polygon:
        # An affine map applied vertex by vertex: vertices shared by neighbouring zones map to
        # identical coordinates, so the tiling stays exact after conversion.
        scale = np.array([self._metres_per_degree_lng, METRES_PER_DEGREE_LAT])
        origin = np.array([self.origin_lng, self.origin_lat])
        return shapely.transform(geometry, lambda coords: origin + coords / scale)

    def geometry_to_xy(self, geometry: Polygon) -> Polygon:
        scale = np.array([self._metres_per_degree_lng, METRES_PER_DEGREE_LAT])
        origin = np.array([self.origin_lng, self.origin_lat])
        return shapely.transform(geometry, lambda coords: (coords - origin) * scale)


# --------------------------------------------------------------------------------------------
# Public plan dataclasses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorPlan:
    """战区: a group of stations under one bureau leader."""

    code: str
    name: str


@dataclass(frozen=True)
class StationPlan:
    """派出所: territorial police station; its point lies inside its own territory."""

    code: str
    name: str
    sector_code: str
    lat: float
    lng: float
    address: str


@dataclass(frozen=True)
class PostPlan:
    """警务站: street-level post that covers 1-3 zones of its station."""

    code: str
    name: str
    station_code: str
    lat: float
    lng: float


@dataclass(frozen=True)
class StreetPlan:
    """街道 with its 综治中心; the center point lies inside the street's territory."""

    code: str
    name: str
    governance_center_name: str
    center_lat: float
    center_lng: float


@dataclass(frozen=True)
class ZonePlan:
    """防区: one patrol zone, part of exactly one station and one street."""

    code: str
    name: str
    polygon: Polygon
    station_code: str
    post_code: str | None
    street_code: str
    area_class: str  # "urban" or "suburban"; drives the arrival-time target


@dataclass(frozen=True)
class TeamPlan:
    """班组: a shift team of a station, the unit of KPI ranking."""

    code: str
    name: str
    station_code: str


@dataclass(frozen=True)
class UnitPlan:
    """A unit (警力) with its home and a starting position inside its home territory.

    Police units have a station, one of its teams and optionally a post; home_street_code is
    None. Street forces (unit_type "street_force") belong to a street's governance center:
    home_street_code is set, team_code and home_post_code are None, and home_station_code is
    the station covering the governance center.
    """

    call_sign: str
    name: str
    unit_type: str
    home_station_code: str
    home_post_code: str | None
    home_street_code: str | None
    team_code: str | None
    lat: float
    lng: float


@dataclass(frozen=True)
class PartnerDepartmentPlan:
    """职能部门 reached through the partner API (城管, 市场监管, 劳动执法, 120, 119)."""

    code: str
    name: str


@dataclass(frozen=True)
class DistrictPlan:
    """Everything needed to seed a demo district; all sequences are in a stable order."""

    name: str
    bureau_name: str
    boundary: Polygon
    sectors: tuple[SectorPlan, ...]
    stations: tuple[StationPlan, ...]
    posts: tuple[PostPlan, ...]
    streets: tuple[StreetPlan, ...]
    zones: tuple[ZonePlan, ...]
    teams: tuple[TeamPlan, ...]
    units: tuple[UnitPlan, ...]
    partner_departments: tuple[PartnerDepartmentPlan, ...]


# --------------------------------------------------------------------------------------------
# Reference data (fixed for every seed)
# --------------------------------------------------------------------------------------------

DISTRICT_NAME = "上城区"
BUREAU_NAME = "杭州市公安局上城区分局"

UNIT_TYPES = ("patrol_car", "motorcycle", "foot", "ptu", "mobile_team", "street_force")

# Reference point of the local metric frame: the old city centre by the lake.
_FRAME = _LocalFrame(origin_lng=120.17, origin_lat=30.25)

# District outline, counter-clockwise from the south-west corner. The south-east side follows
# the Qiantang river bank running north-east, the west side is the West Lake shore (the bulge
# of the lake bites into the district), and the north edge has a notch between Dinglan and
# Jiubao. About 120 km², simple and non-convex.
_BOUNDARY_LNGLAT: tuple[tuple[float, float], ...] = (
    (120.160, 30.224),
    (120.172, 30.213),
    (120.190, 30.210),  # river bank, south
    (120.213, 30.221),
    (120.238, 30.240),
    (120.264, 30.258),
    (120.292, 30.272),
    (120.314, 30.281),  # river bank, east end
    (120.316, 30.301),
    (120.294, 30.316),
    (120.268, 30.322),  # north notch between Dinglan and Jiubao
    (120.250, 30.338),
    (120.226, 30.335),
    (120.205, 30.317),
    (120.184, 30.298),
    (120.171, 30.284),
    (120.163, 30.267),
    (120.167, 30.251),  # lake shore bulging east
    (120.158, 30.237),
)

# Zones further than this from the old city centre are "suburban" (城郊十分钟 clock).
_SUBURBAN_DISTANCE_M = 7_500.0

_ZONE_COUNT = 70

# How strongly station/street territories are pushed towards equal zone counts (0 = pure
# nearest-anchor growth). Mild: suburban stations should still end up with more ground.
_REGION_BALANCE = 0.25


@dataclass(frozen=True)
class _Sector:
    code: str
    name: str


_SECTORS = (
    _Sector("SEC-1", "第一战区"),
    _Sector("SEC-2", "第二战区"),
    _Sector("SEC-3", "第三战区"),
)


@dataclass(frozen=True)
class _StationSite:
    abbr: str  # pinyin initials, used in codes and call signs
    name: str
    sector_code: str
    lng: float
    lat: float
    address: str

    @property
    def code(self) -> str:
        return f"PS-{self.abbr}"

    @property
    def short_name(self) -> str:
        return self.name.removesuffix("派出所")


_STATIONS = (
    # 第一战区: the old city between the lake and the river.
    _StationSite("HB", "湖滨派出所", "SEC-1", 120.1690, 30.2590, "杭州市上城区东坡路12号"),
    _StationSite("QB", "清波派出所", "SEC-1", 120.1670, 30.2420, "杭州市上城区南山路28号"),
    _StationSite("XY", "小营派出所", "SEC-1", 120.1800, 30.2680, "杭州市上城区建国中路101号"),
    _StationSite("ZY", "紫阳派出所", "SEC-1", 120.1760, 30.2300, "杭州市上城区江城路500号"),
    _StationSite("WJ", "望江派出所", "SEC-1", 120.1910, 30.2380, "杭州市上城区望江东路88号"),
    _StationSite("NX", "南星派出所", "SEC-1", 120.1760, 30.2190, "杭州市上城区复兴街260号"),
    # 第二战区: the ring east of the old city and the new CBD.
    _StationSite("JJ", "近江派出所", "SEC-2", 120.1960, 30.2490, "杭州市上城区秋涛路168号"),
    _StationSite("KX", "凯旋派出所", "SEC-2", 120.1900, 30.2780, "杭州市上城区凯旋路225号"),
    _StationSite("CH", "采荷派出所", "SEC-2", 120.2010, 30.2630, "杭州市上城区采荷路35号"),
    _StationSite("ZNK", "闸弄口派出所", "SEC-2", 120.1960, 30.2960, "杭州市上城区机场路18号"),
    _StationSite("SJQ", "四季青派出所", "SEC-2", 120.2120, 30.2540, "杭州市上城区钱江路58号"),
    _StationSite("QJ", "钱江新城派出所", "SEC-2", 120.2200, 30.2400, "杭州市上城区富春路299号"),
    # 第三战区: the former Jianggan east, larger and partly suburban.
    _StationSite("PB", "彭埠派出所", "SEC-3", 120.2330, 30.2790, "杭州市上城区新塘路600号"),
    _StationSite("SB", "三堡派出所", "SEC-3", 120.2500, 30.2620, "杭州市上城区三堡北路66号"),
    _StationSite("JQ", "笕桥派出所", "SEC-3", 120.2200, 30.3140, "杭州市上城区笕桥路90号"),
    _StationSite("DL", "丁兰派出所", "SEC-3", 120.2450, 30.3240, "杭州市上城区丁兰路300号"),
    _StationSite("JB", "九堡派出所", "SEC-3", 120.2850, 30.2960, "杭州市上城区九环路9号"),
)


@dataclass(frozen=True)
class _PostSite:
    abbr: str
    name: str
    station_abbr: str
    lng: float
    lat: float

    @property
    def code(self) -> str:
        return f"PP-{self.abbr}"


_POSTS = (
    _PostSite("XH", "西湖景区警务站", "HB", 120.1705, 30.2535),
    _PostSite("HF", "河坊街警务站", "QB", 120.1725, 30.2455),
    _PostSite("CZ", "城站警务站", "WJ", 120.1850, 30.2440),
    _PostSite("DZ", "杭州东站警务站", "PB", 120.2200, 30.2880),
)


@dataclass(frozen=True)
class _StreetSite:
    abbr: str
    name: str
    lng: float
    lat: float

    @property
    def code(self) -> str:
        return f"JD-{self.abbr}"

    @property
    def governance_center_name(self) -> str:
        return f"{self.name}综治中心"


_STREETS = (
    _StreetSite("QB", "清波街道", 120.1680, 30.2380),
    _StreetSite("HB", "湖滨街道", 120.1710, 30.2560),
    _StreetSite("XY", "小营街道", 120.1820, 30.2630),
    _StreetSite("WJ", "望江街道", 120.1890, 30.2410),
    _StreetSite("ZY", "紫阳街道", 120.1780, 30.2330),
    _StreetSite("NX", "南星街道", 120.1800, 30.2180),
    _StreetSite("KX", "凯旋街道", 120.1920, 30.2800),
    _StreetSite("CH", "采荷街道", 120.2030, 30.2650),
    _StreetSite("ZNK", "闸弄口街道", 120.1980, 30.2980),
    _StreetSite("SJQ", "四季青街道", 120.2140, 30.2500),
    _StreetSite("JQ", "笕桥街道", 120.2220, 30.3160),
    _StreetSite("PB", "彭埠街道", 120.2400, 30.2750),
    _StreetSite("JB", "九堡街道", 120.2880, 30.2980),
    _StreetSite("DL", "丁兰街道", 120.2430, 30.3260),
)

_PARTNER_DEPARTMENTS = (
    PartnerDepartmentPlan("CITY-MGMT", "上城区城市管理局（城管）"),
    PartnerDepartmentPlan("MARKET-REG", "上城区市场监督管理局（市场监管）"),
    PartnerDepartmentPlan("LABOR-INSP", "上城区人力资源和社会保障局劳动保障监察大队（劳动执法）"),
    PartnerDepartmentPlan("EMS-120", "杭州市急救中心（120急救）"),
    PartnerDepartmentPlan("FIRE-119", "上城区消防救援大队（119消防）"),
)

# Unit roster. Counts are fixed so every seed yields the same total (148 units); the seed
# only moves starting positions and the number of shift teams.
_PATROL_CARS_PER_STATION = 4
_MOTORCYCLES_PER_STATION = 1
_FOOT_PATROLS_PER_STATION = 1
_FOOT_PATROLS_PER_POST = 2
_PTU_HOMES = ("HB", "HB", "QJ", "QJ")  # tactical units sit where crowds gather
_MOBILE_TEAM_HOMES = ("XY", "KX", "SJQ", "PB", "JB", "DL")
# Each street sends its own forces to diverted jobs: 综治 patrols, grid staff
# (网格员) and a 城管 squad, spread over its grids so that street staff can be
# on scene within 5 minutes on an e-bike.
_STREET_FORCE_KINDS = ("综治队员一组", "综治队员二组", "网格员一组", "网格员二组", "城管执法队")

_TEAMS_PER_STATION = (2, 4)
_POST_ZONES = (1, 3)

_CHINESE_ORDINALS = ("一", "二", "三", "四")


# --------------------------------------------------------------------------------------------
# Zone tiling
# --------------------------------------------------------------------------------------------


def _stage_rng(seed: int, stage: str) -> random.Random:
    # One independent stream per stage, so that changing how units are placed does not
    # reshuffle the zones of an existing seed.
    return random.Random(f"{seed}:{stage}")


def _seed_spacing_m(x: float, y: float, scale: float) -> float:
    # Zones are small in the dense old city and grow towards the suburban east/north, like
    # real patrol zones: spacing doubles over the ~12 km from the lake to Jiubao.
    distance_km = math.hypot(x, y) / 1000.0
    return scale * (0.8 + 0.1 * distance_km)


def _scatter_seeds(
    boundary: Polygon,
    fixed: Sequence[tuple[float, float]],
    total: int,
    rng: random.Random,
) -> list[tuple[float, float]]:
    """Dart-throwing (Poisson-disk-like) seeds inside the boundary, keeping the fixed ones.

    Starts with a generous spacing and shrinks it until enough darts land, which spreads the
    seeds evenly instead of clumping them where the first random draws fell.
    """
    seeds = list(fixed)
    min_x, min_y, max_x, max_y = boundary.bounds
    scale = 2_000.0
    darts_per_round = 300
    while len(seeds) < total:
        for _ in range(darts_per_round):
            x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if not shapely.contains_xy(boundary, x, y):
                continue
            existing = np.asarray(seeds)
            nearest = float(np.min(np.hypot(existing[:, 0] - x, existing[:, 1] - y)))
            if nearest >= _seed_spacing_m(x, y, scale):
                seeds.append((x, y))
                if len(seeds) == total:
                    break
        scale *= 0.94
    return seeds


def _voronoi_faces(boundary: Polygon, seeds: Sequence[tuple[float, float]]) -> list[Polygon]:
    """Faces of the Voronoi diagram cut by the boundary, as an exact planar partition.

    Polygonizing the noded linework (Voronoi edges + boundary ring) instead of intersecting
    each cell with the boundary gives neighbouring faces bit-identical shared edges: no gaps,
    no slivers of overlap.
    """
    frame = boundary.buffer(5_000.0).envelope
    edges = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, only_edges=True)
    linework = shapely.union_all([edges, boundary.exterior])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    return [face for face in faces if boundary.contains(face.representative_point())]


def _shared_border_m(a: Polygon, b: Polygon) -> float:
    return float(a.boundary.intersection(b.boundary).length)


def _tile_zones(boundary: Polygon, seeds: Sequence[tuple[float, float]]) -> list[Polygon]:
    """One single-part polygon per seed, together tiling the boundary exactly.

    Near the concave lake shore a Voronoi cell can be cut into several pieces; the pieces
    that do not hold the seed are handed to the neighbour they share the longest border with,
    so every zone stays one connected polygon.
    """
    faces = _voronoi_faces(boundary, seeds)
    xs = np.array([s[0] for s in seeds])
    ys = np.array([s[1] for s in seeds])
    owner: list[int | None] = []
    for face in faces:
        inside = np.flatnonzero(shapely.contains_xy(face, xs, ys))
        if len(inside) > 1:
            raise ValueError("two zone seeds fell into one Voronoi face")
        owner.append(int(inside[0]) if len(inside) else None)

    while any(o is None for o in owner):
        progressed = False
        for i, face in enumerate(faces):
            if owner[i] is not None:
                continue
            borders = [
                (_shared_border_m(face, other), j)
                for j, other in enumerate(faces)
                if owner[j] is not None and face.intersects(other)
            ]
            borders = [b for b in borders if b[0] > 0.0]
            if borders:
                owner[i] = owner[max(borders)[1]]
                progressed = True
        if not progressed:
            raise ValueError("could not attach a Voronoi fragment to any zone")

    zones: list[Polygon] = []
    for seed_index in range(len(seeds)):
        parts = [face for face, o in zip(faces, owner, strict=True) if o == seed_index]
        zone = shapely.union_all(parts)
        if not zone.is_valid:
            zone = shapely.make_valid(zone)
        if zone.geom_type != "Polygon":
            raise ValueError(f"zone {seed_index} is a {zone.geom_type}, expected a Polygon")
        zones.append(zone)
    return zones


def _adjacency(zones: Sequence[Polygon], min_border_m: float = 1.0) -> list[list[int]]:
    """Neighbours sharing a real border (touching at a corner does not count)."""
    tree = shapely.STRtree(zones)
    left, right = tree.query(zones, predicate="intersects")
    neighbours: list[list[int]] = [[] for _ in zones]
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j and _shared_border_m(zones[i], zones[j]) >= min_border_m:
            neighbours[i].append(j)
            neighbours[j].append(i)
    return [sorted(n) for n in neighbours]


def _grow_regions(
    centroids: Sequence[Point],
    neighbours: Sequence[Sequence[int]],
    sources: dict[int, int],
    balance: float = _REGION_BALANCE,
) -> list[int]:
    """Label every zone by growing regions from their source zones over the adjacency graph.

    sources maps a zone index to a region label. At each step the cheapest (region, free
    neighbouring zone) pair is taken, the cost being the distance to the region's nearest
    source inflated by the region's current size. Regions only ever take zones next to ones
    they hold, so each is contiguous and keeps its sources; the size term stops a region
    hemmed in between others from ending up with a single zone.
    """
    labels: list[int | None] = [None] * len(centroids)
    size: dict[int, int] = {}
    anchors: dict[int, list[Point]] = {}
    for zone, label in sorted(sources.items()):
        labels[zone] = label
        size[label] = size.get(label, 0) + 1
        anchors.setdefault(label, []).append(centroids[zone])

    def cost(zone: int, label: int) -> float:
        distance = min(centroids[zone].distance(anchor) for anchor in anchors[label])
        return distance * (1.0 + balance * size[label])

    while any(label is None for label in labels):
        frontier = {
            (other, label)
            for zone, label in enumerate(labels)
            if label is not None
            for other in neighbours[zone]
            if labels[other] is None
        }
        if not frontier:
            raise ValueError("zone graph is disconnected")
        zone, label = min(frontier, key=lambda pair: (cost(*pair), pair))
        labels[zone] = label
        size[label] += 1
    return [label for label in labels if label is not None]


# --------------------------------------------------------------------------------------------
# Territories
# --------------------------------------------------------------------------------------------


def _zone_containing(zones: Sequence[Polygon], x: float, y: float) -> int:
    for index, zone in enumerate(zones):
        if shapely.contains_xy(zone, x, y):
            return index
    raise ValueError(f"point ({x:.0f}, {y:.0f}) is outside every zone")


def _street_sources(zones: Sequence[Polygon], centroids: Sequence[Point]) -> dict[int, int]:
    """The zone each street grows from: the one holding its anchor, else the nearest free one.

    Street anchors can share a zone in the dense old city; the later street then starts from
    the nearest zone no other street has taken.
    """
    sources: dict[int, int] = {}
    for street_index, street in enumerate(_STREETS):
        x, y = _FRAME.to_xy(street.lng, street.lat)
        zone = _zone_containing(zones, x, y)
        if zone in sources:
            anchor = Point(x, y)
            free = [i for i in range(len(zones)) if i not in sources]
            zone = min(free, key=lambda i: (centroids[i].distance(anchor), i))
        sources[zone] = street_index
    return sources


def _point_inside(polygon: Polygon, preferred: Point) -> Point:
    """preferred if it lies inside polygon, else the centroid, else a guaranteed inner point."""
    for candidate in (preferred, polygon.centroid):
        if polygon.contains(candidate):
            return candidate
    return polygon.representative_point()


def _post_coverage(
    post_zone: int,
    post_point: Point,
    station_of: Sequence[int],
    neighbours: Sequence[Sequence[int]],
    centroids: Sequence[Point],
    taken: set[int],
    size: int,
) -> list[int]:
    """The post's own zone plus up to size-1 adjacent free zones of the same station."""
    covered = [post_zone]
    candidates = sorted(
        (
            other
            for other in neighbours[post_zone]
            if station_of[other] == station_of[post_zone] and other not in taken
        ),
        key=lambda i: (centroids[i].distance(post_point), i),
    )
    covered.extend(candidates[: size - 1])
    return covered


def _random_point_in(
    polygons: Sequence[Polygon], rng: random.Random, attempts: int = 200
) -> tuple[float, float]:
    """A uniformly random point inside a set of polygons (area-weighted, then rejection)."""
    polygon = rng.choices(polygons, weights=[p.area for p in polygons])[0]
    min_x, min_y, max_x, max_y = polygon.bounds
    for _ in range(attempts):
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shapely.contains_xy(polygon, x, y):
            return x, y
    point = polygon.representative_point()
    return point.x, point.y


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Territories:
    """Zone geometry (metric frame) and the zone → station / street / post assignment."""

    zones: list[Polygon]
    station_of: list[int]
    street_of: list[int]
    post_of: list[int | None]
    center_points: list[Point]

    def zones_where(self, labels: Sequence[int | None], wanted: int) -> list[Polygon]:
        """The zones whose label in one of the assignment lists equals wanted."""
        return [zone for zone, label in zip(self.zones, labels, strict=True) if label == wanted]


def _build_territories(boundary: Polygon, seed: int) -> _Territories:
    station_points = [_FRAME.to_xy(s.lng, s.lat) for s in _STATIONS]
    post_points = [_FRAME.to_xy(p.lng, p.lat) for p in _POSTS]
    for x, y in [*station_points, *post_points]:
        if not shapely.contains_xy(boundary, x, y):
            raise ValueError(f"reference point ({x:.0f}, {y:.0f}) lies outside the district")

    # Stations and posts are zone seeds themselves: each sits in its own zone, which makes
    # "the station is inside its territory" and "the post is inside a zone it covers" hold by
    # construction for any seed.
    fixed = [*station_points, *post_points]
    seeds = _scatter_seeds(boundary, fixed, _ZONE_COUNT, _stage_rng(seed, "zones"))
    zones = _tile_zones(boundary, seeds)
    centroids = [zone.centroid for zone in zones]
    neighbours = _adjacency(zones)

    station_index = {s.abbr: i for i, s in enumerate(_STATIONS)}
    station_sources = {i: i for i in range(len(_STATIONS))}
    for post_number, post in enumerate(_POSTS):
        station_sources[len(_STATIONS) + post_number] = station_index[post.station_abbr]
    station_of = _grow_regions(centroids, neighbours, station_sources)

    street_sources = _street_sources(zones, centroids)
    street_of = _grow_regions(centroids, neighbours, street_sources)

    rng = _stage_rng(seed, "posts")
    post_zones = [len(_STATIONS) + post_number for post_number in range(len(_POSTS))]
    post_of: list[int | None] = [None] * len(zones)
    taken = set(post_zones)  # a post's own zone is never handed to another post
    for post_number, post_zone in enumerate(post_zones):
        size = rng.randint(*_POST_ZONES)
        covered = _post_coverage(
            post_zone, Point(seeds[post_zone]), station_of, neighbours, centroids, taken, size
        )
        for zone in covered:
            post_of[zone] = post_number
        taken.update(covered)

    center_points = []
    for source_zone, street_number in sorted(street_sources.items(), key=lambda kv: kv[1]):
        anchor = Point(_FRAME.to_xy(_STREETS[street_number].lng, _STREETS[street_number].lat))
        center_points.append(_point_inside(zones[source_zone], anchor))

    return _Territories(
        zones=zones,
        station_of=station_of,
        street_of=street_of,
        post_of=post_of,
        center_points=center_points,
    )


def _zone_order(territories: _Territories) -> list[int]:
    """Zones grouped by station, the station's own zone first, then by distance from it.

    This makes "湖滨1号防区" the zone around the station building.
    """
    station_points = [Point(_FRAME.to_xy(s.lng, s.lat)) for s in _STATIONS]

    def key(zone: int) -> tuple[int, float, int]:
        station = territories.station_of[zone]
        distance = territories.zones[zone].distance(station_points[station])
        return station, distance, zone

    return sorted(range(len(territories.zones)), key=key)


def _make_zones(territories: _Territories) -> list[ZonePlan]:
    numbers: dict[int, int] = {}
    plans = []
    for zone in _zone_order(territories):
        station = _STATIONS[territories.station_of[zone]]
        number = numbers.get(territories.station_of[zone], 0) + 1
        numbers[territories.station_of[zone]] = number
        polygon = territories.zones[zone]
        post = territories.post_of[zone]
        suburban = polygon.centroid.distance(Point(0.0, 0.0)) > _SUBURBAN_DISTANCE_M
        plans.append(
            ZonePlan(
                code=f"PZ-{station.abbr}-{number:02d}",
                name=f"{station.short_name}{number}号防区",
                polygon=_FRAME.geometry_to_lnglat(polygon),
                station_code=station.code,
                post_code=_POSTS[post].code if post is not None else None,
                street_code=_STREETS[territories.street_of[zone]].code,
                area_class="suburban" if suburban else "urban",
            )
        )
    return plans


def _make_stations() -> list[StationPlan]:
    return [
        StationPlan(
            code=s.code,
            name=s.name,
            sector_code=s.sector_code,
            lat=s.lat,
            lng=s.lng,
            address=s.address,
        )
        for s in _STATIONS
    ]


def _make_posts() -> list[PostPlan]:
    return [
        PostPlan(
            code=p.code,
            name=p.name,
            station_code=f"PS-{p.station_abbr}",
            lat=p.lat,
            lng=p.lng,
        )
        for p in _POSTS
    ]


def _make_streets(territories: _Territories) -> list[StreetPlan]:
    plans = []
    for street, center in zip(_STREETS, territories.center_points, strict=True):
        lng, lat = _FRAME.to_lnglat(center.x, center.y)
        plans.append(
            StreetPlan(
                code=street.code,
                name=street.name,
                governance_center_name=street.governance_center_name,
                center_lat=lat,
                center_lng=lng,
            )
        )
    return plans


def _make_teams(seed: int) -> list[TeamPlan]:
    rng = _stage_rng(seed, "teams")
    teams = []
    for station in _STATIONS:
        for number in range(rng.randint(*_TEAMS_PER_STATION)):
            teams.append(
                TeamPlan(
                    code=f"{station.code}-T{number + 1}",
                    name=f"{station.name}{_CHINESE_ORDINALS[number]}组",
                    station_code=station.code,
                )
            )
    return teams


@dataclass(frozen=True)
class _PoliceSlot:
    """One police unit to create: what it is and where it lives."""

    unit_type: str
    letter: str  # call-sign letter, one per unit type
    label: str  # Chinese name part
    station_abbr: str
    post_index: int | None = None


def _police_roster() -> list[_PoliceSlot]:
    slots: list[_PoliceSlot] = []
    for station in _STATIONS:
        car = _PoliceSlot("patrol_car", "C", "巡逻车", station.abbr)
        motorcycle = _PoliceSlot("motorcycle", "M", "铁骑", station.abbr)
        foot = _PoliceSlot("foot", "F", "步巡", station.abbr)
        slots += [car] * _PATROL_CARS_PER_STATION
        slots += [motorcycle] * _MOTORCYCLES_PER_STATION
        slots += [foot] * _FOOT_PATROLS_PER_STATION
    for post_index, post in enumerate(_POSTS):
        post_foot = _PoliceSlot("foot", "F", "步巡", post.station_abbr, post_index)
        slots += [post_foot] * _FOOT_PATROLS_PER_POST
    slots += [_PoliceSlot("ptu", "P", "PTU", abbr) for abbr in _PTU_HOMES]
    slots += [_PoliceSlot("mobile_team", "J", "机动队", abbr) for abbr in _MOBILE_TEAM_HOMES]
    return slots


def _police_units(
    territories: _Territories, teams: Sequence[TeamPlan], rng: random.Random
) -> list[UnitPlan]:
    station_index = {s.abbr: i for i, s in enumerate(_STATIONS)}
    teams_of: dict[str, list[TeamPlan]] = {}
    for team in teams:
        teams_of.setdefault(team.station_code, []).append(team)

    units: list[UnitPlan] = []
    numbers: dict[tuple[str, str], int] = {}
    dealt: dict[str, int] = {}
    for slot in _police_roster():
        station = _STATIONS[station_index[slot.station_abbr]]
        number = numbers.get((station.abbr, slot.letter), 0) + 1
        numbers[(station.abbr, slot.letter)] = number
        # Deal units out to the station's teams in turn so every team gets a fair share.
        station_teams = teams_of[station.code]
        team = station_teams[dealt.get(station.code, 0) % len(station_teams)]
        dealt[station.code] = dealt.get(station.code, 0) + 1
        if slot.post_index is None:
            home_zones = territories.zones_where(
                territories.station_of, station_index[station.abbr]
            )
            home_name, post_code = station.name, None
        else:
            post = _POSTS[slot.post_index]
            home_zones = territories.zones_where(territories.post_of, slot.post_index)
            home_name, post_code = post.name, post.code
        lng, lat = _FRAME.to_lnglat(*_random_point_in(home_zones, rng))
        units.append(
            UnitPlan(
                call_sign=f"{station.abbr}-{slot.letter}{number:02d}",
                name=f"{home_name}{slot.label}{number:02d}",
                unit_type=slot.unit_type,
                home_station_code=station.code,
                home_post_code=post_code,
                home_street_code=None,
                team_code=team.code,
                lat=lat,
                lng=lng,
            )
        )
    return units


def _street_force_units(territories: _Territories, rng: random.Random) -> list[UnitPlan]:
    units: list[UnitPlan] = []
    for street_number, street in enumerate(_STREETS):
        street_zones = territories.zones_where(territories.street_of, street_number)
        # The station covering the governance center backs the street up ("派出所兜底").
        center = territories.center_points[street_number]
        center_zone = _zone_containing(territories.zones, center.x, center.y)
        covering_station = _STATIONS[territories.station_of[center_zone]]
        for number, kind in enumerate(_STREET_FORCE_KINDS, start=1):
            lng, lat = _FRAME.to_lnglat(*_random_point_in(street_zones, rng))
            units.append(
                UnitPlan(
                    call_sign=f"{street.abbr}-S{number:02d}",
                    name=f"{street.name}{kind}",
                    unit_type="street_force",
                    home_station_code=covering_station.code,
                    home_post_code=None,
                    home_street_code=street.code,
                    team_code=None,
                    lat=lat,
                    lng=lng,
                )
            )
    return units


def _make_units(territories: _Territories, teams: Sequence[TeamPlan], seed: int) -> list[UnitPlan]:
    rng = _stage_rng(seed, "units")
    return _police_units(territories, teams, rng) + _street_force_units(territories, rng)


def build_demo_district(seed: int = DEFAULT_SEED) -> DistrictPlan:
    """Build the demo district. The same seed always yields an identical plan.

    Fixed for every seed: boundary, sectors, stations, posts, streets (names), partner
    departments, the zone count (70) and the unit roster (148 units). The seed decides the
    zone shapes and their station/street/post assignment, governance-center points, the number
    of teams per station (2-4) and unit starting positions.
    """
    boundary_lnglat = Polygon(_BOUNDARY_LNGLAT)
    boundary = _FRAME.geometry_to_xy(boundary_lnglat)
    territories = _build_territories(boundary, seed)
    teams = _make_teams(seed)
    return DistrictPlan(
        name=DISTRICT_NAME,
        bureau_name=BUREAU_NAME,
        boundary=boundary_lnglat,
        sectors=tuple(SectorPlan(code=s.code, name=s.name) for s in _SECTORS),
        stations=tuple(_make_stations()),
        posts=tuple(_make_posts()),
        streets=tuple(_make_streets(territories)),
        zones=tuple(_make_zones(territories)),
        teams=tuple(teams),
        units=tuple(_make_units(territories, teams, seed)),
        partner_departments=_PARTNER_DEPARTMENTS,
    )
