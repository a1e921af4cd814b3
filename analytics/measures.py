"""What a job contributes to the daily rollups: the counted columns, the timed
intervals with their fixed-bin histograms, and the grains rollups are kept at.

Defined once here: the rollup model's columns, the incremental consumer's
per-job contribution (Python) and the rebuild's aggregation (SQL) are all
generated from these tables, so the two ways of building a rollup cannot
disagree on what a column means.
"""

from bisect import bisect_right

# Timed intervals kept as histograms (seconds). Each has n_, sum_, met_ (within
# target) and one h_<interval>_<bin> column per bin.
INTERVALS = ("dispatch", "ack", "arrival", "street_accept", "street_arrival", "resolve")

# Lower edges of the histogram bins, in seconds; the last bin is open-ended.
# The targets (60 s, 2, 5, 10, 15 minutes) fall on edges.
BIN_EDGES = (
    0, 15, 30, 45, 60, 75, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480,
    540, 600, 720, 900, 1200, 1800, 2700, 3600, 7200, 14400, 28800, 86400,
)  # fmt: skip
BINS = len(BIN_EDGES)


def bin_of(seconds: float) -> int:
    """The histogram bin a non-negative interval falls in."""
    return max(0, bisect_right(BIN_EDGES, seconds) - 1)


def bin_width(index: int) -> float | None:
    """A bin's width in seconds (None for the open-ended last bin)."""
    return BIN_EDGES[index + 1] - BIN_EDGES[index] if index + 1 < BINS else None


# Counted columns: name → (the job-fact condition that counts it in SQL, the
# same in Python over a fact). A test holds the two sides together (a rebuilt
# rollup equals the incrementally kept one).
def _job(f) -> bool:
    return f.valid and not f.repeat


COUNTS = {
    "calls": ("1=1", lambda f: True),
    "valid": ("valid", lambda f: f.valid),
    "invalid": ("NOT valid", lambda f: not f.valid),
    "repeats": ("repeat", lambda f: f.repeat),
    # A job: a valid call that is not a repeat of another.
    "jobs": ("valid AND NOT repeat", _job),
    "police_jobs": (
        "valid AND NOT repeat AND tier = 'police'",
        lambda f: _job(f) and f.tier == "police",
    ),
    "street_jobs": ("valid AND NOT repeat AND diverted", lambda f: _job(f) and f.diverted),
    "returned": ("valid AND NOT repeat AND returned", lambda f: _job(f) and f.returned),
    "referred": ("valid AND NOT repeat AND referred", lambda f: _job(f) and f.referred),
    "transferred": ("valid AND NOT repeat AND transferred", lambda f: _job(f) and f.transferred),
    "dispatched": ("valid AND NOT repeat AND dispatched", lambda f: _job(f) and f.dispatched),
    "acknowledged": ("valid AND NOT repeat AND acknowledged", lambda f: _job(f) and f.acknowledged),
    "resolved": ("valid AND NOT repeat AND resolved", lambda f: _job(f) and f.resolved),
    "on_site": ("valid AND NOT repeat AND on_site", lambda f: _job(f) and f.on_site),
    "street_settled": (
        "valid AND NOT repeat AND diverted AND street_settled",
        lambda f: _job(f) and f.diverted and f.street_settled,
    ),
    "completed": ("valid AND NOT repeat AND completed", lambda f: _job(f) and f.completed),
    "closed_same_day": (
        "valid AND NOT repeat AND closed_same_day",
        lambda f: _job(f) and f.closed_same_day,
    ),
    "cb_satisfied": ("callback = 'satisfied'", lambda f: f.callback == "satisfied"),
    "cb_basic": ("callback = 'basic'", lambda f: f.callback == "basic"),
    "cb_unsatisfied": ("callback = 'unsatisfied'", lambda f: f.callback == "unsatisfied"),
    "cb_unreached": ("callback = 'unreached'", lambda f: f.callback == "unreached"),
    "cb_refused": ("callback = 'refused'", lambda f: f.callback == "refused"),
}
# Summed columns: name → (SQL over the fact, the same in Python).
SUMS = {
    "clocks_breached": ("breaches", lambda f: f.breaches),
    "clocks_excused": ("excused", lambda f: f.excused),
    "breaches_unexplained": ("unexplained", lambda f: f.unexplained),
    "breaches_unexplained_p1": (
        "CASE WHEN priority = 1 THEN unexplained ELSE 0 END",
        lambda f: f.unexplained if f.priority == 1 else 0,
    ),
}


def interval_columns(interval: str) -> list[str]:
    return [
        f"n_{interval}",
        f"sum_{interval}",
        f"met_{interval}",
        *(f"h_{interval}_{i}" for i in range(BINS)),
    ]


MEASURES = [*COUNTS, *SUMS, *(c for interval in INTERVALS for c in interval_columns(interval))]

# The grains a rollup is kept at: which dimensions it keeps (the rest are 0 or
# ''). A query reads the smallest grain holding every dimension it filters or
# groups by; the full grain is the one the issue names, the others are its
# coarser sums so that a district-wide year reads thousands of rows, not millions.
DIMENSIONS = (
    "station", "post", "team", "zone", "street", "category", "weekday", "hour", "tier",
    "area_class",
)  # fmt: skip
TEXT_DIMENSIONS = frozenset({"tier", "area_class"})
GRAINS: dict[str, tuple[str, ...]] = {
    "district": ("tier", "area_class"),
    "district_category": ("category", "tier", "area_class"),
    "station": ("station", "tier", "area_class"),
    "street": ("street", "tier", "area_class"),
    "post": ("station", "post", "tier", "area_class"),
    "team": ("station", "team", "tier", "area_class"),
    "category": ("station", "category", "tier", "area_class"),
    "zone": ("station", "post", "zone", "street", "tier", "area_class"),
    "hour": ("station", "post", "street", "hour", "tier"),
    # Weekday × hour over months (the dashboard's heat strip): month rows keep the
    # weekday, so a year is twelve months of rows, not 365 days of the hour grain.
    "weekhour": ("station", "weekday", "hour", "tier"),
    # The same for the whole district: a district-wide year's heat strip is twelve months
    # of 168 cells, not twelve months of every station's.
    "district_weekhour": ("weekday", "hour", "tier"),
    "full": ("station", "post", "team", "zone", "street", "category", "tier", "area_class"),
}

# Each grain is kept per local day and per calendar month (`day` is then the
# month's first day): a range reads its whole months from month rows and only
# its ragged ends from day rows, so a year is a few dozen rows per key.
PERIODS = ("day", "month")
# Sums of seconds can pass 2^31 in a month row; the other columns are counts.
BIG_MEASURES = frozenset(f"sum_{interval}" for interval in INTERVALS)
