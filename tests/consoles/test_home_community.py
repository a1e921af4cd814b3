"""The home map's smart-secure sites' layers: what the page hands community.js."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page_of(client, user) -> str:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return client.get(reverse("console-home")).content.decode()


def test_the_home_map_reads_sites_sensors_and_alarms_and_links_the_site_page(client, users):
    html = page_of(client, users.dispatcher)

    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html)
    community = json.loads(found.group(1))["community"]
    assert community == {
        "sites": reverse("site-list"),
        "sensors": reverse("sensor-list"),
        "alarms": reverse("alarm-list"),
        "sitePage": "/sites/0/",
    }


def test_the_home_map_has_the_words_of_every_sensor_and_alarm_value(client, users):
    html = page_of(client, users.street_staff)

    # Events carry values only: the page says them (the choices' labels).
    assert '<span data-word="sensor-status:offline">Offline</span>' in html
    assert '<span data-word="alarm-type:intrusion">Intrusion (入侵)</span>' in html
    assert '<span data-word="alarm-state:review">Awaiting review</span>' in html
    assert 'data-layer="sites"' in html and 'data-layer="alarms"' in html
