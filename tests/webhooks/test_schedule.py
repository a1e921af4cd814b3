"""The retry schedule: immediately, 5 s, 5 min … 24 h, each within ±10 %; Retry-After."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from webhooks.delivery import SCHEDULE, next_attempt_at, retry_after_seconds, retry_delay

NOW = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("attempts_done", range(len(SCHEDULE)))
def test_each_retry_waits_its_step_of_the_schedule_within_ten_percent(attempts_done):
    expected = SCHEDULE[attempts_done]
    for seed in range(50):
        delay = retry_delay(attempts_done, rng=random.Random(seed)).total_seconds()
        assert expected * 0.9 <= delay <= expected * 1.1


def test_the_schedule_is_the_standard_webhooks_example():
    hours = 3600
    assert SCHEDULE == (0, 5, 300, 1800, 2 * hours, 5 * hours, 10 * hours, 14 * hours,
                        20 * hours, 24 * hours)  # fmt: skip


def test_the_jitter_spreads_the_retries():
    delays = {retry_delay(3, rng=random.Random(seed)) for seed in range(20)}
    assert len(delays) > 1


def test_after_the_last_step_there_is_no_next_attempt():
    assert next_attempt_at(attempts_done=len(SCHEDULE), retry_after=None, now=NOW) is None


def test_retry_after_later_than_the_schedule_wins():
    at = next_attempt_at(attempts_done=1, retry_after=120, now=NOW, rng=random.Random(1))
    assert at == NOW + timedelta(seconds=120)


def test_retry_after_sooner_than_the_schedule_does_not_shorten_it():
    at = next_attempt_at(attempts_done=4, retry_after=1, now=NOW, rng=random.Random(1))
    assert at - NOW >= timedelta(hours=1.8)


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("30", now=NOW) == 30
    assert retry_after_seconds("Tue, 01 Dec 2026 00:40:00 GMT", now=NOW) == 600


def test_retry_after_is_capped_at_a_day_and_garbage_ignored():
    assert retry_after_seconds(str(10 * 24 * 3600), now=NOW) == 24 * 3600
    assert retry_after_seconds("soon", now=NOW) is None
    assert retry_after_seconds("Mon, 30 Nov 2026 00:00:00 GMT", now=NOW) == 0
