"""警情查询, incident search: every police role and the street office, each in its area.

The filters are the API's (incidents/filters.py); the results can be taken
away as CSV or Excel through the API's export, with the same query.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commandcenter.selectors import station_list
from consoles.shell import console_required
from incidents.filters import IncidentFilter
from incidents.selectors import active_categories, incident_list

PAGE_SIZE = 50
RELATED = ("category", "station", "street", "result_code")


@require_GET
@console_required("search")
def incident_search(request: HttpRequest) -> HttpResponse:
    searched = any(value for key, value in request.GET.items() if key != "page")
    filters = IncidentFilter(
        request.GET or None,
        queryset=incident_list(user=request.user).select_related(*RELATED).order_by("-received_at"),
    )
    page = None
    if searched and filters.is_valid():
        page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "consoles/search.html",
        {
            "console": "search",
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "categories": active_categories(),
            "stations": station_list(user=request.user),
        },
    )
