"""赋分排名: teams, posts and stations scored by the active scheme for a period.

Three tiers, as practised: a **veto** item failed zeroes the score (一票否决);
**base** items earn their points when the threshold is met (达标制, not
ranked); **stretch** items earn up to their points by where the value falls
between the worst and the best of the peers ranked together. A count may be
taken per on-duty unit-hour (`per_workload`), and the default scheme scores
workload itself, so a busy team is not ranked down for being busy. Every
score carries its items: the figure (with its numerator and denominator from
kpi_query), the threshold, whether it passed and the points earned.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from analytics.choices import Comparison, ScoringTier
from analytics.kpis import kpi_query, kpi_scalar, previous_range
from analytics.models import ScoringItem, ScoringScheme

LEVELS = ("team", "post", "station")


def _item_value(item: ScoringItem, figures: dict) -> float | None:
    value = kpi_scalar(item.kpi, figures.get(item.kpi, {}))
    if value is None or not item.per_workload:
        return value
    hours = (figures.get("duty_hours") or {}).get("value")
    return round(value / hours, 4) if hours else None


def _passes(item: ScoringItem, value: float | None) -> bool | None:
    if value is None or item.threshold is None:
        return None
    if item.comparison == Comparison.AT_LEAST:
        return value >= item.threshold
    return value <= item.threshold


def active_scheme() -> ScoringScheme | None:
    return ScoringScheme.objects.filter(active=True).prefetch_related("items").first()


def _score(rows: list[dict], items: list[ScoringItem]) -> None:
    """Fill each row's items and score, in place; the rows are peers."""
    for item in items:
        values = [r["values"][item.pk] for r in rows if r["values"][item.pk] is not None]
        low, high = (min(values), max(values)) if values else (None, None)
        for row in rows:
            value = row["values"][item.pk]
            passed = _passes(item, value)
            if item.tier == ScoringTier.STRETCH:
                if value is None:
                    earned = 0.0
                elif high == low:
                    earned = item.points
                else:
                    share = (value - low) / (high - low)
                    if item.comparison == Comparison.AT_MOST:
                        share = 1 - share
                    earned = round(item.points * share, 2)
            elif item.tier == ScoringTier.BASE:
                # No jobs to judge: the item is not failed.
                earned = item.points if passed in (True, None) else 0.0
            else:
                earned = 0.0
                if passed is False:
                    row["vetoed"] = True
            row["items"].append(
                {
                    "item": item.name,
                    "tier": item.tier,
                    "kpi": item.kpi,
                    "value": value,
                    "threshold": item.threshold,
                    "comparison": item.comparison,
                    "per_workload": item.per_workload,
                    "passed": passed,
                    "points": item.points,
                    "earned": earned,
                    "figure": row["figures"].get(item.kpi),
                }
            )
            row["score"] += earned
    for row in rows:
        row["score"] = 0.0 if row["vetoed"] else round(row["score"], 2)


def _rows(
    *, scope, start: date, end: date, level: str, items: list[ScoringItem], filters
) -> list[dict]:
    codes = sorted({item.kpi for item in items} | {"duty_hours"})
    result = kpi_query(
        scope=scope, start=start, end=end, filters=filters, group_by=[level], kpis=codes
    )
    rows = []
    for group in result["results"]:
        if not group["group"].get(level):
            continue  # jobs with no team (never dispatched) are nobody's
        rows.append(
            {
                "code": group["group"][level],
                "name": group["group"][f"{level}_name"],
                "figures": group["figures"],
                "values": {item.pk: _item_value(item, group["figures"]) for item in items},
                "items": [],
                "score": 0.0,
                "vetoed": False,
            }
        )
    _score(rows, items)
    rows.sort(key=lambda r: (-r["score"], r["code"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        del row["values"]
    return rows


def ranking(
    *, scope, start: date, end: date, level: str = "team", filters: dict | None = None
) -> dict:
    """The ranking of `level` for local days start..end, with the previous period's."""
    if level not in LEVELS:
        raise ValidationError({"level": _("Rank teams, posts or stations.")})
    scheme = active_scheme()
    if scheme is None:
        return {"scheme": None, "level": level, "rows": []}
    items = list(scheme.items.all())
    rows = _rows(scope=scope, start=start, end=end, level=level, items=items, filters=filters)
    before_start, before_end = previous_range(start, end)
    before = {
        r["code"]: r
        for r in _rows(
            scope=scope,
            start=before_start,
            end=before_end,
            level=level,
            items=items,
            filters=filters,
        )
    }
    for row in rows:
        earlier = before.get(row["code"])
        row["previous_rank"] = earlier["rank"] if earlier else None
        row["previous_score"] = earlier["score"] if earlier else None
        row["change"] = round(row["score"] - earlier["score"], 2) if earlier else None
        # Both periods are scored by the same items, in the same order.
        for position, item in enumerate(row["items"]):
            before_item = earlier["items"][position] if earlier else None
            item["previous_value"] = before_item["value"] if before_item else None
            item["previous_earned"] = before_item["earned"] if before_item else None
    return {
        "scheme": {"code": scheme.code, "name": scheme.name},
        "level": level,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "previous": {"from": before_start.isoformat(), "to": before_end.isoformat()},
        "rows": rows,
    }
