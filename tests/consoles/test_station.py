"""The station view reads patrol time from a cached figure, not a computation per refresh."""

from django.urls import reverse

import patrol.selectors


def test_station_view_computes_patrol_time_once_for_repeated_refreshes(
    client, users, district, monkeypatch
):
    from django.core.cache import cache

    cache.clear()
    runs = []
    real = patrol.selectors.patrol_time

    def counted(**arguments):
        runs.append(arguments)
        return real(**arguments)

    monkeypatch.setattr(patrol.selectors, "patrol_time", counted)
    client.force_login(users.chief_a)
    for _ in range(3):
        assert client.get(reverse("station-console")).status_code == 200
    assert len(runs) == 1
