"""警情查询, incident search: every police role and the street office, each in its area.

The filters are the API's (incidents/filters.py); the results can be taken
away as CSV or Excel through the API's export, with the same query.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commandcenter.selectors import station_list
from consoles.shell import console_required
from incidents.filters import IncidentFilter
from incidents.selectors import active_categories, incident_list

PAGE_SIZE = 50
RELATED = ("category", "station", "street", "result_code")


def given(query: QueryDict) -> QueryDict:
    """What the user filled in: a form sends its empty fields too (`status=` for
    "any"), which the filters would refuse as an unknown choice."""
    kept = QueryDict(mutable=True)
    for key in query:
        values = [value for value in query.getlist(key) if value.strip()]
        if values:
            kept.setlist(key, values)
    return kept


@require_GET
@console_required("search")
def incident_search(request: HttpRequest) -> HttpResponse:
    query = given(request.GET)
    page_number = query.pop("page", [None])[-1]
    filters = IncidentFilter(
        query or None,
        queryset=incident_list(user=request.user).select_related(*RELATED).order_by("-received_at"),
    )
    page = None
    if query and filters.is_valid():
        page = Paginator(filters.qs, PAGE_SIZE).get_page(page_number)
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
