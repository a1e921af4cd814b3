"""智安小区, the smart-secure sites: a filtered list, and one site's page.

The list shows each site with its sensors online out of all and its pending
alarms; a site's page shows its place and people, its sensors with today's
online rate, its recent alarms and the jobs made from them. Both read through
community.selectors, so a user sees the sites of its own area and a site
outside it answers 404.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from commandcenter.access import consoles_of
from commandcenter.selectors import street_list
from community.choices import SensorStatus
from community.selectors import (
    site_alarms,
    site_get,
    site_jobs,
    site_list,
    site_online_rate,
    site_sensors,
)
from consoles.forms import SiteFilterForm
from consoles.search import given
from consoles.shell import LIST_LIMIT, console_required

PAGE_SIZE = 50
RECENT_ALARMS = 50


def job_console_of(user) -> str:
    """Where a job opens for this user: its own console for jobs, or none."""
    return next((c for c in ("dispatch", "street") if c in consoles_of(user)), "")


@require_GET
@console_required("sites")
def sites_page(request: HttpRequest) -> HttpResponse:
    query = given(request.GET)
    page_number = query.pop("page", [None])[-1]
    streets = street_list(user=request.user)
    form = SiteFilterForm(query, streets=streets)
    page, status = None, 200
    if form.is_valid():
        street = form.cleaned_data["street"]
        sites = site_list(
            user=request.user,
            kind=form.cleaned_data["kind"],
            grade=form.cleaned_data["grade"],
            street_id=street.pk if street else None,
            q=form.cleaned_data["q"].strip(),
        )
        page = Paginator(sites, PAGE_SIZE).get_page(page_number)
    else:
        status = 400
    return render(
        request,
        "consoles/sites.html",
        {
            "console": "sites",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(query),
            "several_streets": len(form.fields["street"].queryset) > 1,
        },
        status=status,
    )


@require_GET
@console_required("sites")
def site_page(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_get(user=request.user, site_id=pk)
    if site is None:
        raise Http404(_("There is no such site in your area."))
    now = timezone.now()
    sensors = site_sensors(site=site, now=now)
    by_status = {status: 0 for status in SensorStatus.values}
    for sensor in sensors:
        by_status[sensor.status] += 1
    return render(
        request,
        "consoles/site.html",
        {
            "console": "sites",
            "site": site,
            "sensors": sensors,
            "online_today": site_online_rate(sensors),
            "sensors_online": by_status[SensorStatus.ONLINE],
            "sensors_offline": by_status[SensorStatus.OFFLINE],
            "sensors_fault": by_status[SensorStatus.FAULT],
            "alarms": list(site_alarms(user=request.user, site=site)[:RECENT_ALARMS]),
            "jobs": list(site_jobs(user=request.user, site=site)[:LIST_LIMIT]),
            "job_console": job_console_of(request.user),
            "now": now,
        },
    )
