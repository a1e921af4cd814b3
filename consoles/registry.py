"""一标三实, the registry pages: find a standard address, walk its tree, print a
building's plates, export a community, import a street's lists.

Everything reads through the area of the user (community.registry and the
address scope); residents show masked here, and the plate page is where a
purpose unmasks them (consoles.plates).
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from community import registry_io
from community.choices import AddressElement
from community.plate_sheet import plate_sheet_pdf
from community.registry import (
    address_search,
    addresses_of,
    household,
    may_read_household,
    plate_token,
)
from community.registry_models import StandardAddress
from consoles.shell import console_required, is_htmx

CHILDREN_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _address(user, pk: int) -> StandardAddress:
    address = (
        addresses_of(user)
        .select_related("parent", "station", "post", "street", "zone", "officer")
        .filter(pk=pk)
        .first()
    )
    if address is None:
        raise Http404
    return address


@require_GET
@console_required("registry")
def registry_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    found = address_search(query, within=addresses_of(request.user)) if query else None
    partial = is_htmx(request)
    template = "consoles/partials/registry_results.html" if partial else "consoles/registry.html"
    tops = None
    if not partial:
        # Where to start walking: the highest levels of the area.
        tops = (
            addresses_of(request.user)
            .filter(
                element__in=(
                    AddressElement.STREET,
                    AddressElement.COMMUNITY,
                    AddressElement.VILLAGE,
                )
            )
            .order_by("element", "code")[:60]
        )
    return render(
        request,
        template,
        {"console": "registry", "query": query, "found": found, "tops": tops,
         "may_import": registry_io.may_import(request.user)},
    )  # fmt: skip


@require_GET
@console_required("registry")
def address_page(request: HttpRequest, pk: int) -> HttpResponse:
    address = _address(request.user, pk)
    chain, parent = [], address.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    children = addresses_of(request.user).filter(parent=address).order_by("code")
    page = Paginator(children, CHILDREN_PAGE).get_page(request.GET.get("page"))
    reader = address.plated and may_read_household(request.user, address)
    return render(
        request,
        "consoles/registry_address.html",
        {
            "console": "registry",
            "address": address,
            "ancestors": chain[::-1],
            "page": page,
            "plate_url": reverse("house-plate", args=[plate_token(address)])
            if address.plated else None,
            "residents": household(address, request.user) if reader else None,
            "house": getattr(address, "house", None),
            "organisations": address.organisations.all()[:50],
            "is_building": address.element == AddressElement.BUILDING,
            "is_community": address.element in (AddressElement.COMMUNITY, AddressElement.VILLAGE),
        },
    )  # fmt: skip


@require_GET
@console_required("registry")
def plate_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    address = _address(request.user, pk)
    if address.element != AddressElement.BUILDING:
        raise Http404
    pdf = plate_sheet_pdf(
        address,
        url_for=lambda a: request.build_absolute_uri(reverse("house-plate", args=[plate_token(a)])),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plates-{address.code}.pdf"'
    return response


@require_GET
@console_required("registry")
def community_export(request: HttpRequest, pk: int) -> HttpResponse:
    address = _address(request.user, pk)
    if address.element not in (AddressElement.COMMUNITY, AddressElement.VILLAGE):
        raise Http404
    response = HttpResponse(registry_io.community_xlsx(address), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="registry-{address.code}.xlsx"'
    return response


@require_http_methods(["POST"])
@console_required("registry")
def registry_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    context = {"console": "registry", "kind": kind}
    status = 200
    if kind not in registry_io.KINDS or upload is None:
        context["error"], status = registry_io.missing_file_message(), 400
    else:
        result = registry_io.registry_import(actor=request.user, kind=kind, upload=upload)
        if result.error:
            context["error"], status = result.error, 400 if not result.forbidden else 403
        elif result.refused and request.POST.get("errors_as") == "xlsx":
            response = HttpResponse(registry_io.refused_file(kind, result), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{kind}-refused.xlsx"'
            return response
        context["result"] = result
    return render(request, "consoles/partials/registry_import.html", context, status=status)
