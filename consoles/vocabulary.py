"""The words the browser shares with the server: status groups.

Defined once in the domain apps' `choices` modules; every page hands them to
its scripts as one JSON document (`json_script`, id "vocabulary"). Whether a
job is late is not among them: the server's clocks say so (analytics), in
the `alert` of each job and the `clock.*` events of the live stream.
"""

from community.choices import ON_JOB_STATES, PENDING_STATES
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES, DISPATCHABLE_STATUSES
from incidents import choices as incident
from patrol.choices import BUSY_STATUSES


def _sorted(statuses) -> list[str]:
    return sorted(str(status) for status in statuses)


def vocabulary() -> dict:
    return {
        "incident": {
            "awaiting_dispatch": _sorted(incident.AWAITING_DISPATCH),
            "in_progress": _sorted(incident.IN_PROGRESS),
            "with_street": _sorted(incident.WITH_STREET),
            "street_queue": _sorted(incident.STREET_QUEUE),
            "live": _sorted(incident.LIVE_STATUSES),
            "open": _sorted(incident.OPEN_STATUSES),
            "terminal": _sorted(incident.TERMINAL_STATUSES),
            "dispatchable": _sorted(DISPATCHABLE_STATUSES),
        },
        "unit": {"busy": _sorted(BUSY_STATUSES)},
        "assignment": {"active": _sorted(ACTIVE_ASSIGNMENT_STATUSES)},
        # A sensor alarm is on the map while pending, or while the job it is on is open.
        "alarm": {"pending": _sorted(PENDING_STATES), "on_job": _sorted(ON_JOB_STATES)},
    }
