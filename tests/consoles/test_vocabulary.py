"""Pages hand the server's status groups and clock standards to their scripts."""

import json
import re

from django.urls import reverse

from community.choices import ON_JOB_STATES, PENDING_STATES
from consoles.vocabulary import vocabulary
from incidents.choices import AWAITING_DISPATCH, LIVE_STATUSES


def test_every_page_carries_the_vocabulary_as_json(client, users):
    client.force_login(users.dispatcher)
    for url_name in ("console-home", "dispatch-console", "station-console"):
        html = client.get(reverse(url_name)).content.decode()
        found = re.search(r'<script id="vocabulary" type="application/json">(.*?)</script>', html)
        assert found, url_name
        assert json.loads(found.group(1)) == vocabulary()


def test_the_vocabulary_is_the_python_definitions():
    words = vocabulary()
    assert set(words["incident"]["awaiting_dispatch"]) == set(AWAITING_DISPATCH)
    assert set(words["incident"]["live"]) == set(LIVE_STATUSES)
    assert set(words["alarm"]["pending"]) == set(PENDING_STATES)
    assert set(words["alarm"]["on_job"]) == set(ON_JOB_STATES)
    # Lateness is the server's clocks' word (analytics), not a threshold in the page.
    assert "clock" not in words
