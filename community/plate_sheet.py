"""数字门牌 sheets: a building's plates on A4, to print and fix beside the doors.

One plate per plated address (the building, then each room in code order),
eight to a page: the full address, the QR code holding the plate's URL (an
opaque signed id: community.registry.plate_token), the station and the
community officer. No personal data is on a plate.
"""

import io

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from commandcenter.pdf import PDF_FONT, mixed
from community.choices import AddressElement
from community.registry import public_card
from community.registry_models import StandardAddress

QR_SIZE = 34 * mm
PLATE_WIDTH = 88 * mm
PLATE_HEIGHT = 62 * mm
STYLE = {"fontName": PDF_FONT, "wordWrap": "CJK"}
ADDRESS = ParagraphStyle("address", fontSize=10, leading=13, **STYLE)
SMALL = ParagraphStyle("small", fontSize=7.5, leading=10, textColor=colors.grey, **STYLE)
HEAD = ParagraphStyle("head", fontSize=8, leading=10, textColor=colors.HexColor("#1d4e89"), **STYLE)


def building_plates(building: StandardAddress) -> list[StandardAddress]:
    rooms = StandardAddress.objects.filter(
        building=building, element=AddressElement.ROOM, retired_on__isnull=True
    ).select_related("station", "officer")
    return [building, *rooms.order_by("code")]


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0,
                                                  QR_SIZE / (y1 - y0), 0, 0])  # fmt: skip
    drawing.add(widget)
    return drawing


def _plate(address: StandardAddress, url: str) -> Table:
    card = public_card(address)
    officer = card["officer"] + (f" {card['officer_phone']}" if card["officer_phone"] else "")
    station = card["station"] + (f" {card['station_phone']}" if card["station_phone"] else "")
    text = [
        Paragraph(mixed(_("Standard address · Digital house plate")), HEAD),
        Paragraph(mixed(card["address"]), ADDRESS),
        Paragraph(mixed(_("Police station: %(s)s") % {"s": station or "—"}), SMALL),
        Paragraph(mixed(_("Community officer: %(s)s") % {"s": officer or "—"}), SMALL),
        Paragraph(mixed(_("Scan for this address · In an emergency call 110")), SMALL),
    ]
    plate = Table([[text, _qr(url)]], colWidths=[PLATE_WIDTH - QR_SIZE - 6 * mm, QR_SIZE + 4 * mm])
    plate.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor("#1d4e89")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return plate


def plate_sheet_pdf(building: StandardAddress, *, url_for) -> bytes:
    """The building's plates as a PDF; `url_for(address)` is each plate's absolute URL."""
    plates = [_plate(a, url_for(a)) for a in building_plates(building)]
    rows = [plates[i : i + 2] for i in range(0, len(plates), 2)]
    if rows and len(rows[-1]) == 1:
        rows[-1].append("")
    grid = Table(rows, colWidths=[PLATE_WIDTH + 4 * mm] * 2, rowHeights=PLATE_HEIGHT)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("House plates of %(building)s") % {"building": building.full_name},
    )
    document.build([grid])
    return out.getvalue()
