"""KPIs against a hand-computed day: every job walked through the real services at
known times, the log read into facts and rollups, the figures checked one by one;
the edge cases the issue names are in it (a repeat call, an invalid call, a
returned job, a referred job, an excused breach, a job across midnight)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from analytics.facts import ROLLUP_SOURCES, facts_rebuild, facts_tick
from analytics.kpis import kpi_query, percentile
from analytics.measures import BIN_EDGES, DIMENSIONS, GRAINS, bin_of, bin_width
from analytics.models import ClockCursor, ClockInstance, JobFact, Rollup
from analytics.services import clock_excuse
from tests.analytics.wall_clock import post, ticking_from

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 local on the day measured.
START = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
DAY = date(2026, 11, 30)


@pytest.fixture
def at():
    """Run `action()` with the wall clock `seconds` after 10:00 local, then read the log."""
    return ticking_from(START)


@pytest.fixture
def day(at, call, api_client_for, users, district):
    """The measured day. Station A, urban zones (5-minute arrival)."""
    d = api_client_for(users.dispatcher)
    street = api_client_for(users.street_staff)
    jobs = {}

    def job(name, seconds, **fields):
        jobs[name] = at(seconds, lambda: call(**fields).json())
        return f"/api/v1/incidents/{jobs[name]['id']}"

    def send(seconds, base, unit):
        body = at(seconds, lambda: post(d, f"{base}/dispatch/", {"units": [unit.pk]}))
        return f"/api/v1/assignments/{body['assignments'][0]['id']}"

    # In time order: each step runs at its moment, then the log is read.
    # 1. Dispatched in 30 s, en route at 40 s (acknowledges), on scene at 200 s,
    #    resolved on site, closed the same day.
    one = job("one", 0)
    a = send(30, one, district.units.a)
    at(40, lambda: post(d, f"{a}/en-route/"))
    # 2. A repeat call about job 1 while it is open (another caller): linked, not a job.
    job("repeat", 100, lat=30.0052, lng=120.0051, caller_phone="13700000000")
    # 3. An invalid call.
    job("invalid", 120, category="misdial")
    at(200, lambda: post(d, f"{a}/on-scene/"))
    at(600, lambda: post(d, f"{one}/resolve/", {"result_code": "settled_on_site"}))
    at(700, lambda: post(d, f"{one}/close/", {"feedback": "ok"}))
    # 4. Dispatched late (90 s after a call at 1000 s), on scene after 490 s: the
    #    dispatch clock and the arrival clock breach; the dispatch breach is excused.
    two = job("two", 1000, category="traffic", lat=30.005, lng=120.005)
    p = send(1090, two, district.units.p)
    at(1095, lambda: post(d, f"{p}/acknowledge/"))
    at(1490, lambda: post(d, f"{p}/on-scene/"))
    at(1600, lambda: post(d, f"{two}/resolve/", {"result_code": "case_opened"}))
    excuse = ClockInstance.objects.get(incident_id=jobs["two"]["id"], definition__code="dispatch")
    at(1700, lambda: clock_excuse(actor=users.supervisor, clock_id=excuse.pk, reason="路面封闭"))
    # 5. Diverted to street 1, accepted after 60 s, settled by phone: a street job.
    three = job("street", 2000, category="dispute", lat=30.015, lng=120.005)
    at(2060, lambda: post(street, f"{three}/accept/"))
    at(
        2300,
        lambda: post(street, f"{three}/settle/", {"result_code": "mediated", "remote": True}),
    )
    # 6. Diverted, accepted after 100 s, referred to a department.
    four = job("referred", 3000, category="dispute", lat=30.015, lng=120.005)
    at(3100, lambda: post(street, f"{four}/accept/"))
    at(3200, lambda: post(street, f"{four}/refer/", {"to": "chengguan", "notes": "占道"}))
    # 7. Diverted, then returned to the police at 4100 s; dispatched 40 s later.
    five = job("returned", 4000, category="assistance", lat=30.015, lng=120.005)
    at(4050, lambda: post(street, f"{five}/accept/"))
    at(4100, lambda: post(street, f"{five}/return/", {"reason": "需警方处置"}))
    send(4140, five, district.units.b)
    # 8. Received at 23:59:30 local, dispatched 50 s later, after midnight (when the
    #    same-day clocks of the jobs not closed breach too).
    late = job("midnight", 13 * 3600 + 59 * 60 + 30)
    send(13 * 3600 + 59 * 60 + 80, late, district.units.a)
    return jobs


def figures(user, **kwargs):
    kwargs.setdefault("start", DAY)
    kwargs.setdefault("end", DAY)
    [row] = kpi_query(user=user, **kwargs)["results"]
    return row["figures"]


def test_every_kpi_of_the_day_by_hand(day, users):
    f = figures(users.supervisor)
    assert f["calls"] == {"value": 8}
    # 7 valid of 8 calls; 1 of 7 valid calls is a repeat.
    assert f["valid_rate"]["numerator"] == 7 and f["valid_rate"]["denominator"] == 8
    assert f["invalid"] == {"value": 1}
    assert (f["repeat_rate"]["numerator"], f["repeat_rate"]["denominator"]) == (1, 7)
    # Six jobs; three were diverted (street, referred, returned).
    assert (f["diversion_rate"]["numerator"], f["diversion_rate"]["denominator"]) == (3, 6)
    # Dispatch intervals: 30, 90, 40 (from the return), 50 → 3 of 4 within 60 s.
    d = f["dispatch_time"]
    assert d["n"] == 4 and d["mean"] == pytest.approx((30 + 90 + 40 + 50) / 4, abs=0.1)
    assert (f["dispatch_rate"]["numerator"], f["dispatch_rate"]["denominator"]) == (3, 4)
    # Arrival: 200 s (within 5 min), 490 s (late).
    assert f["arrival_time"]["n"] == 2 and f["arrival_time"]["mean"] == 345
    assert (f["arrival_rate"]["numerator"], f["arrival_rate"]["denominator"]) == (1, 2)
    # Acknowledged: job 1 (en route, 10 s), job 2 (5 s); jobs 7 and 8 not yet.
    assert (f["ack_rate"]["numerator"], f["ack_rate"]["denominator"]) == (2, 4)
    assert f["ack_time"]["n"] == 2 and f["ack_time"]["mean"] == 7.5
    # Resolved: 1 (on site), 2 (on site), street (settled by phone), referred.
    assert (f["on_site_rate"]["numerator"], f["on_site_rate"]["denominator"]) == (2, 4)
    assert (f["street_settle_rate"]["numerator"], f["street_settle_rate"]["denominator"]) == (1, 3)
    assert f["street_accept_time"]["n"] == 3
    assert f["street_accept_time"]["mean"] == pytest.approx((60 + 100 + 50) / 3, abs=0.1)
    assert (f["referral_rate"]["numerator"], f["referral_rate"]["denominator"]) == (1, 6)
    assert (f["completion_rate"]["numerator"], f["completion_rate"]["denominator"]) == (4, 6)
    assert (f["same_day_rate"]["numerator"], f["same_day_rate"]["denominator"]) == (1, 6)
    # Breaches: job 2's dispatch (excused) and arrival; job 7's acknowledgement and
    # arrival (the unit never moved); at midnight, the same-day clocks of the five
    # jobs not closed (2, street, referred, 7 and the one received at 23:59:30); and
    # the department's accept clock of the referred job (not accepted within 2 h).
    assert f["breaches"] == {"value": 2 + 2 + 5 + 1}
    assert f["excused"] == {"value": 1}
    # On urgent (priority-1) jobs, only the midnight one's same-day clock, unexplained.
    assert f["breaches_unexplained_p1"] == {"value": 1}


def test_the_job_across_midnight_counts_on_the_day_it_came_in(day, users):
    fact = JobFact.objects.get(incident_id=day["midnight"]["id"])
    assert fact.day == DAY and fact.hour == 23 and fact.dispatch_s == 50
    next_day = figures(users.supervisor, start=DAY + timedelta(days=1), end=DAY + timedelta(days=1))
    assert next_day["calls"] == {"value": 0}


def test_groups_scope_and_grains(day, users, district):
    result = kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["station"])
    assert result["grain"] == "station"
    by_station = {r["group"]["station"]: r["figures"]["calls"]["value"] for r in result["results"]}
    assert sum(by_station.values()) == 8
    # A chief reads their station only, whatever they ask for.
    mine = figures(users.chief_a)
    assert mine["calls"]["value"] == by_station["station-a"]
    with pytest.raises(PermissionDenied):
        kpi_query(user=users.chief_a, start=DAY, end=DAY, filters={"station": "station-b"})
    with pytest.raises(PermissionDenied):
        kpi_query(user=users.partner, start=DAY, end=DAY)
    # A street reads the jobs diverted to it and still there (the street tier).
    street = figures(users.street_staff)
    assert street["calls"]["value"] == 2  # the settled and the referred job
    with pytest.raises(ValidationError):
        kpi_query(user=users.supervisor, start=DAY, end=DAY, filters={"station": "nowhere"})
    with pytest.raises(ValidationError):
        kpi_query(user=users.supervisor, start=DAY, end=DAY - timedelta(days=1))
    # Per unit reads the facts; per hour (and weekday) district-wide the district's
    # weekday × hour grain, a station's the station's, and per hour of a post the hour
    # grain; all agree with the total.
    units = kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["unit"])
    assert units["grain"] == "facts"
    hours = kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["hour"])
    assert hours["grain"] == "district_weekhour"
    station_hours = kpi_query(user=users.chief_a, start=DAY, end=DAY, group_by=["hour"])
    assert station_hours["grain"] == "weekhour"
    assert station_hours["results"] == hours["results"]  # every job of the day is station A's
    assert sum(r["figures"]["calls"]["value"] for r in hours["results"]) == 8
    heat = kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["weekday", "hour"])
    assert heat["grain"] == "district_weekhour"
    assert {r["group"]["weekday"] for r in heat["results"]} == {DAY.weekday()}
    assert [r["figures"]["calls"] for r in heat["results"]] == [
        r["figures"]["calls"] for r in hours["results"]
    ]
    post_hours = kpi_query(
        user=users.supervisor, start=DAY, end=DAY, group_by=["post", "hour"], kpis=["calls"]
    )
    assert post_hours["grain"] == "hour"
    assert sum(r["figures"]["calls"]["value"] for r in post_hours["results"]) == 8
    category = kpi_query(
        user=users.supervisor,
        start=DAY,
        end=DAY,
        filters={"tier": "invalid"},
        group_by=["category"],
    )
    assert [r["group"]["category"] for r in category["results"]] == ["misdial"]


def test_rebuilt_facts_and_rollups_equal_the_incremental_ones(day):
    def snapshot():
        facts = {f["incident_id"]: f for f in JobFact.objects.values()}
        rollups = {}
        for row in Rollup.objects.values():
            del row["id"]
            rollups[tuple(row.pop(k) for k in ("grain", "period", "day", *DIMENSIONS))] = row
        return facts, rollups

    before = snapshot()
    assert before[1]
    facts_rebuild()
    after = snapshot()
    assert after == before
    # Replaying the log from the start changes nothing either.
    ClockCursor.objects.filter(name="facts").update(last_seq=0)
    facts_tick()
    assert snapshot() == before


def test_each_grain_is_rebuilt_from_a_finer_one_built_before_it():
    order = list(ROLLUP_SOURCES)
    assert set(order) == set(GRAINS)
    for grain, source in ROLLUP_SOURCES.items():
        if source is not None:
            assert order.index(source) < order.index(grain)
            # The weekday is read from the day where the source does not keep it.
            assert set(GRAINS[grain]) - {"weekday"} <= set(GRAINS[source])


def test_p90_from_bins_is_within_one_bin_width_of_the_exact_p90():
    import numpy as np

    rng = np.random.default_rng(7)
    for scale in (40, 200, 900):
        values = rng.gamma(2.0, scale, 5000)
        histogram = [0] * len(BIN_EDGES)
        for v in values:
            histogram[bin_of(v)] += 1
        for p in (0.5, 0.9):
            exact = float(np.quantile(values, p))
            width = bin_width(bin_of(exact)) or BIN_EDGES[-1]
            assert abs(percentile(histogram, p) - exact) <= width


def test_the_api_gives_kpi_query_s_figures_scoped_by_role(day, users, api_client_for):
    supervisor = api_client_for(users.supervisor)
    params = {"from": "2026-11-30", "to": "2026-11-30", "group_by": "station"}
    body = supervisor.get("/api/v1/kpis/", params).json()
    assert body == kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["station"])
    chief = api_client_for(users.chief_a).get("/api/v1/kpis/", params).json()
    assert {r["group"]["station"] for r in chief["results"]} == {"station-a"}
    assert (
        api_client_for(users.chief_a).get("/api/v1/kpis/", {"station": "station-b"}).status_code
        == 403
    )
    assert api_client_for(users.partner).get("/api/v1/kpis/").status_code == 403
    assert (
        api_client_for(users.officer if hasattr(users, "officer") else users.partner)
        .get("/api/v1/dashboard/")
        .status_code
        == 403
    )
    bad = supervisor.get("/api/v1/kpis/", {"from": "30/11/2026"})
    assert bad.status_code == 400 and "from" in bad.json()
    assert supervisor.get("/api/v1/kpis/", {"group_by": "galaxy"}).status_code == 400
    assert supervisor.get("/api/v1/kpis/", {"range": "forever"}).status_code == 400
    definitions = supervisor.get("/api/v1/kpi-definitions/").json()
    assert {d["code"] for d in definitions} >= {"arrival_rate", "satisfaction", "workload"}
    satisfaction = next(d for d in definitions if d["code"] == "satisfaction")
    assert "0.5" in satisfaction["formula"]


def test_the_dashboard_data_is_the_kpis_of_the_range_and_the_one_before(day, users, api_client_for):
    client = api_client_for(users.supervisor)
    body = client.get("/api/v1/dashboard/", {"from": "2026-11-30", "to": "2026-11-30"}).json()
    assert body["previous"] == {"from": "2026-11-29", "to": "2026-11-29"}
    cards = {c["code"]: c for c in body["cards"]}
    assert cards["calls"]["value"] == 8 and cards["calls"]["previous"] == 0
    assert cards["calls"]["delta"] == 8
    assert sum(body["arrival_histogram"]["counts"]) == 2
    assert sum(cell["calls"] for cell in body["heat"]) == 8
    assert {row["zone"] for row in body["zones"]["rows"]} <= {
        "zone-sw",
        "zone-nw",
        "zone-se",
        "zone-ne",
    }
    # Every job of the day is in station A's zones.
    assert {s["station"] for s in body["stations"]} == {"station-a"}
    assert len(body["breaches"]) == 10
    # The midnight job's clocks fall due the next day: still listed under its own day only.
    after = client.get("/api/v1/dashboard/", {"from": "2026-12-01", "to": "2026-12-01"}).json()
    assert after["breaches"] == []
    ranked = body["ranking"]["rows"]
    assert {r["code"] for r in ranked} == {"team-a", "team-b"}
    # The veto: team A's midnight job breached with no reason, on an urgent job.
    team_a = next(r for r in ranked if r["code"] == "team-a")
    assert team_a["vetoed"] and team_a["score"] == 0
    chief = (
        api_client_for(users.chief_b)
        .get("/api/v1/dashboard/", {"from": "2026-11-30", "to": "2026-11-30"})
        .json()
    )
    assert chief["stations"] == [] and chief["breaches"] == []
    assert {c["code"]: c["value"] for c in chief["cards"]}["calls"] == 0


def test_a_range_reads_whole_months_from_month_rows_and_its_ends_from_day_rows():
    from analytics.kpis import month_spans

    assert month_spans(date(2026, 1, 15), date(2026, 4, 3)) == (
        [date(2026, 2, 1), date(2026, 3, 1)],
        [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 3))],
    )
    assert month_spans(date(2026, 1, 1), date(2026, 12, 31))[1] == []
    assert month_spans(date(2026, 2, 3), date(2026, 2, 20)) == (
        [],
        [(date(2026, 2, 3), date(2026, 2, 20))],
    )


def test_month_rows_give_the_same_figures_as_day_rows(day, users):
    month = kpi_query(user=users.supervisor, start=date(2026, 11, 1), end=date(2026, 11, 30))
    days = kpi_query(
        user=users.supervisor, start=date(2026, 11, 1), end=date(2026, 11, 30), group_by=["day"]
    )
    [whole] = month["results"]
    [one] = days["results"]
    assert whole["figures"] == one["figures"]


def test_a_ragged_end_covering_most_of_a_month_is_its_month_row_less_the_days_left_out(day, users):
    from analytics.kpis import month_reads

    # Nov 10 – Dec 2: November from its month row less Nov 1–9, December's days alone.
    assert month_reads(date(2026, 11, 10), date(2026, 12, 2)) == (
        [date(2026, 11, 1)],
        [(date(2026, 12, 1), date(2026, 12, 2))],
        [(date(2026, 11, 1), date(2026, 11, 9))],
    )
    # The fixture's jobs are on Nov 29–30 (and across midnight): the two ways agree, and a
    # range leaving those days out counts none of them.
    for start, end in ((date(2026, 11, 10), date(2026, 12, 2)), (date(2026, 11, 3), DAY)):
        read = kpi_query(user=users.supervisor, start=start, end=end, group_by=["zone"])
        by_day = kpi_query(user=users.supervisor, start=start, end=end, group_by=["zone", "day"])
        calls: dict = {}
        for row in by_day["results"]:
            zone = row["group"]["zone"]
            calls[zone] = calls.get(zone, 0) + row["figures"]["calls"]["value"]
        assert {
            r["group"]["zone"]: r["figures"]["calls"]["value"] for r in read["results"]
        } == calls
    before = kpi_query(user=users.supervisor, start=date(2026, 11, 2), end=date(2026, 11, 28))
    assert before["results"] == [] or before["results"][0]["figures"]["calls"]["value"] == 0


def test_a_breach_found_late_still_reaches_the_job_s_fact(at, call):
    """The engine was down for a day: the clocks it finds late breach silently (no alert,
    no reminder), but the job's fact counts them."""
    job = at(0, lambda: call().json())
    at(24 * 3600, lambda: None)
    late = ClockInstance.objects.filter(incident_id=job["id"], state="breached").count()
    assert late >= 2  # dispatch, arrival (and same-day)
    assert JobFact.objects.get(incident_id=job["id"]).breaches == late
