"""Words that depend on who handles the job: the street office says 派遣, not 派警."""

from django import template
from django.utils.translation import pgettext

from incidents.choices import IncidentStatus, Tier

register = template.Library()


@register.filter
def status_label(incident) -> str:
    """The job's status as its handler says it."""
    if incident.tier == Tier.STREET and incident.status == IncidentStatus.DISPATCHED:
        return pgettext("street staff", "Staff sent")
    return incident.get_status_display()
