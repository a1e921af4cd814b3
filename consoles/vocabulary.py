"""The words the browser shares with the server: status groups and clock standards.

Defined once in the domain apps' `choices` modules; every page hands them to
its scripts as one JSON document (`json_script`, id "vocabulary"), so the
live map, the queues and the job panel turn a job late at the same moment
the server would.
"""

from commandcenter.choices import (
    AMBER_WAITING_SECONDS,
    ARRIVAL_SECONDS,
    STREET_ARRIVAL_SECONDS,
    AreaClass,
)
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
        "clock": {
            "arrival_seconds": {str(area): ARRIVAL_SECONDS[area] for area in AreaClass},
            "default_arrival_seconds": ARRIVAL_SECONDS[AreaClass.URBAN],
            "street_arrival_seconds": STREET_ARRIVAL_SECONDS,
            "amber_waiting_seconds": AMBER_WAITING_SECONDS,
        },
    }
