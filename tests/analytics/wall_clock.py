"""Shared by the measuring tests: steps run at known local times, the log read after each."""

from datetime import datetime, timedelta

import time_machine

from analytics.engine import clocks_tick
from analytics.facts import facts_tick


def ticking_from(start: datetime):
    """`run(seconds, action)`: `action()` with the wall clock `seconds` after `start`, then
    the clock engine and the fact consumer read the log (as the beat tick does)."""

    def run(seconds: float, action):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            result = action()
            clocks_tick()
            facts_tick()
            return result

    return run


def post(client, url, body=None):
    response = client.post(url, body or {}, format="json")
    assert response.status_code < 300, response.content
    return response.json()
