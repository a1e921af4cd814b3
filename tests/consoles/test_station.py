"""The station view reads patrol time from a cached figure, not a computation per refresh."""

import pytest
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


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/station/", "javascript:alert(1)", "http:/\\evil"],
)
def test_team_duty_never_redirects_off_the_site(client, users, district, target):
    client.force_login(users.chief_a)
    response = client.post(
        reverse("team-duty", kwargs={"pk": district.teams.a.pk}), {"on_duty": "0", "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("station-console")


def test_team_duty_goes_back_to_the_page_it_came_from(client, users, district):
    client.force_login(users.chief_a)
    back = reverse("station-console") + "?date=2026-01-02"
    response = client.post(
        reverse("team-duty", kwargs={"pk": district.teams.a.pk}), {"on_duty": "0", "next": back}
    )
    assert response.headers["Location"] == back
