"""数字门牌: what a scan of a house plate opens.

Anyone (no login) gets the public card: the address, its station and the
responsible officer with their duty phones, nothing of the people. A police
user whose area covers the address also gets the household, masked, and a
purpose to choose; choosing one shows it unmasked and writes the access
records (community.registry.household_unmask), with the device's position
when the browser gives it. Anyone else, logged in or not, gets the card only.
"""

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.choices import UnmaskPurpose
from community.registry import (
    household,
    household_unmask,
    may_read_household,
    plate_address,
    public_card,
)


def _position(data) -> tuple[float, float] | None:
    try:
        lat, lng = float(data.get("lat", "")), float(data.get("lng", ""))
    except ValueError:
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None


@require_http_methods(["GET", "POST"])
def plate_page(request: HttpRequest, token: str) -> HttpResponse:
    address = plate_address(token)
    if address is None:
        raise Http404(_("No such house plate."))
    reader = may_read_household(request.user, address)
    context = {
        "card": public_card(address),
        "address": address,
        "reader": reader,
        "purposes": UnmaskPurpose.choices,
        "qr": segno.make(request.build_absolute_uri(), error="m").svg_inline(scale=4),
    }
    status = 200
    if reader and request.method == "POST":
        try:
            context["residents"] = household_unmask(
                address,
                request.user,
                purpose=request.POST.get("purpose", ""),
                request=request,
                position=_position(request.POST),
            )
            context["unmasked"] = True
            context["purpose"] = UnmaskPurpose(request.POST["purpose"]).label
        except ValidationError as error:
            context["error"] = error.message_dict.get("purpose", error.messages)[0]
            status = 400
        except PermissionDenied:
            reader = context["reader"] = False
    elif request.method == "POST":
        status = 403
    if reader and "residents" not in context:
        context["residents"] = household(address, request.user)
    return render(request, "consoles/plate.html", context, status=status)
