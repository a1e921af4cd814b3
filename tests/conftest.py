"""Shared fixtures: a small four-zone district and one user per role.

lat 30.02 +-----------+-----------+
          | zone-nw   | zone-ne   |
          | station A | station B |
          | street 1  | street 2  |
lat 30.01 +-----------+-----------+
          | zone-sw   | zone-se   |
          | A, post P | station B |
          | street 1  | street 2  |
lat 30.00 +-----------+-----------+
      lng 120.00   120.01      120.02
"""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from commandcenter.choices import Role
from commandcenter.directory import directory
from commandcenter.models import Event
from patrol.choices import UnitType
from patrol.zone_index import zone_index_invalidate
from tests import factories as f


def _reload_reference_data() -> None:
    """Transactional tests flush the tables data migrations filled: refill them."""
    from importlib import import_module

    from django.apps import apps

    from incidents.models import IncidentCategory

    class CurrentApps:
        """The data migrations' models where they are now (routing rules
        were dispatch's when that migration was written)."""

        @staticmethod
        def get_model(app_label: str, model_name: str):
            if (app_label, model_name) == ("dispatch", "RoutingRule"):
                app_label = "incidents"
            return apps.get_model(app_label, model_name)

    if IncidentCategory.objects.exists():
        return
    for module in (
        "incidents.migrations.0002_standard_categories",
        "dispatch.migrations.0003_default_routing_rules",
        "incidents.migrations.0010_category_tree_data",
        "analytics.migrations.0002_default_clocks",
        "analytics.migrations.0010_referral_clocks",
        "community.migrations.0002_default_rules",
    ):
        import_module(module).forward(CurrentApps, None)


@pytest.fixture
def district(db):
    _reload_reference_data()
    directory.clear()
    bureau = f.BureauFactory(boundary=f.square(120.0, 30.0, 120.02, 30.02))
    sector = f.SectorFactory(bureau=bureau, code="sector-1")
    station_a = f.StationFactory(sector=sector, code="station-a", lat=30.015, lng=120.005)
    station_b = f.StationFactory(sector=sector, code="station-b", lat=30.015, lng=120.015)
    post_p = f.PostFactory(station=station_a, code="post-p", lat=30.005, lng=120.005)
    street_1 = f.StreetFactory(bureau=bureau, code="street-1")
    street_2 = f.StreetFactory(bureau=bureau, code="street-2")
    center_1 = f.GovernanceCenterFactory(street=street_1, code="center-1")
    center_2 = f.GovernanceCenterFactory(street=street_2, code="center-2", lng=120.015)
    zones = SimpleNamespace(
        sw=f.PatrolZoneFactory(
            code="zone-sw",
            boundary=f.square(120.0, 30.0, 120.01, 30.01),
            station=station_a,
            post=post_p,
            street=street_1,
        ),
        nw=f.PatrolZoneFactory(
            code="zone-nw",
            boundary=f.square(120.0, 30.01, 120.01, 30.02),
            station=station_a,
            street=street_1,
        ),
        se=f.PatrolZoneFactory(
            code="zone-se",
            boundary=f.square(120.01, 30.0, 120.02, 30.01),
            station=station_b,
            street=street_2,
        ),
        ne=f.PatrolZoneFactory(
            code="zone-ne",
            boundary=f.square(120.01, 30.01, 120.02, 30.02),
            station=station_b,
            street=street_2,
        ),
    )
    team_a = f.TeamFactory(station=station_a, code="team-a")
    team_b = f.TeamFactory(station=station_b, code="team-b")
    units = SimpleNamespace(
        a=f.UnitFactory(call_sign="A-01", home_station=station_a, team=team_a),
        p=f.UnitFactory(
            call_sign="P-01",
            home_station=station_a,
            home_post=post_p,
            team=team_a,
            unit_type=UnitType.FOOT,
        ),
        b=f.UnitFactory(call_sign="B-01", home_station=station_b, team=team_b),
        street=f.UnitFactory(
            call_sign="S1-01",
            home_station=None,
            home_governance_center=center_1,
            unit_type=UnitType.STREET_FORCE,
        ),
    )
    partner = f.PartnerDepartmentFactory(code="chengguan")
    zone_index_invalidate()
    yield SimpleNamespace(
        bureau=bureau,
        sector=sector,
        station_a=station_a,
        station_b=station_b,
        post_p=post_p,
        street_1=street_1,
        street_2=street_2,
        center_1=center_1,
        center_2=center_2,
        zones=zones,
        teams=SimpleNamespace(a=team_a, b=team_b),
        units=units,
        partner=partner,
    )
    zone_index_invalidate()


@pytest.fixture
def users(district):
    d = district
    return SimpleNamespace(
        dispatcher=f.UserFactory(username="dispatcher", role=Role.DISPATCHER),
        supervisor=f.UserFactory(username="supervisor", role=Role.SUPERVISOR),
        administrator=f.UserFactory(username="administrator", role=Role.ADMINISTRATOR),
        chief_a=f.UserFactory(username="chief_a", role=Role.STATION_CHIEF, station=d.station_a),
        chief_b=f.UserFactory(username="chief_b", role=Role.STATION_CHIEF, station=d.station_b),
        post_officer=f.UserFactory(username="post_p", role=Role.POST_OFFICER, post=d.post_p),
        street_staff=f.UserFactory(username="street_1", role=Role.STREET_STAFF, street=d.street_1),
        partner=f.UserFactory(username="partner", role=Role.PARTNER, partner_department=d.partner),
    )


@pytest.fixture
def officer(district):
    """The officer of unit A-01 (station A), on its terminal."""
    return f.UnitOfficerFactory(unit=district.units.a, user__username="officer_a01").user


@pytest.fixture
def api_client_for():
    """An API client authenticated as the given user (session-less, forced)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def call(api_client_for, users):
    """POST a call as `user` (default: the dispatcher); returns the response."""

    def make(user=None, **fields):
        body = {
            "category": "criminal",
            "description": "有人抢包",
            "caller_phone": "13800138000",
            "caller_name": "张三",
            "address": "测试路1号",
            "lat": 30.005,
            "lng": 120.005,
            **fields,
        }
        return api_client_for(user or users.dispatcher).post(
            "/api/v1/incidents/", body, format="json"
        )

    return make


@pytest.fixture
def event_count(db):
    return lambda: Event.objects.count()


@pytest.fixture(scope="session")
def _private_postgres_cluster():
    from tests.private_postgres import PrivatePostgres

    cluster = PrivatePostgres()
    yield cluster
    cluster.remove()


@pytest.fixture
def private_postgres(_private_postgres_cluster):
    """A PostgreSQL cluster of this run's own, running; a test may stop or restart it."""
    _private_postgres_cluster.start()
    yield _private_postgres_cluster
    _private_postgres_cluster.start()
