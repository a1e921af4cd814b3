"""The one way a lifecycle moves: incidents, assignments and orders alike.

Each lifecycle is a `TextChoices` status and one table of allowed transitions
(`{status: frozenset(targets)}`); the caller holds the row lock. This checks
the table, sets the status, stamps the target's clock the first time it is
reached, applies the other changes and saves. Anything the table does not
allow is refused with InvalidTransition (HTTP 409), naming both states.
"""

from django.db import models
from django.utils import timezone

from commandcenter.exceptions import InvalidTransition


def transition_apply(
    obj: models.Model,
    *,
    target: str,
    table: dict[str, frozenset[str]],
    statuses: type[models.TextChoices],
    refusal: str,
    details: dict | None = None,
    stamps: dict[str, str] | None = None,
    changes: dict | None = None,
) -> str:
    """Move a locked `obj` to `target`; returns the status it had.

    `refusal` is the translated sentence for a refused move, with
    %(current)s and %(target)s and any of `details`' keys.
    """
    current = obj.status
    # A narrower table (one actor's moves) leaves out the states it has none from.
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(
            refusal
            % {
                **(details or {}),
                "current": statuses(current).label,
                "target": statuses(target).label,
            }
        )
    obj.status = target
    stamp = (stamps or {}).get(target)
    if stamp and getattr(obj, stamp) is None:
        setattr(obj, stamp, timezone.now())
    for field, value in (changes or {}).items():
        setattr(obj, field, value)
    obj.save()
    return current
