"""Chinese text in ReportLab PDFs (the reports, the house-plate sheets).

ReportLab's built-in Adobe CID font for simplified Chinese needs no font file;
the viewer draws it with a CJK font of its own (Debian: fonts-noto-cjk), and
its text extracts as Unicode. Latin runs are set in Helvetica, which spaces
them properly (the CID font's Latin is a fixed half width).
"""

from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

PDF_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def _latin(character: str) -> bool:
    try:
        character.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def mixed(text) -> str:
    """Paragraph markup of `text`: Latin runs in Helvetica, the rest in the CJK font."""
    runs, current, latin = [], "", None
    for character in str(text):
        kind = _latin(character)
        if latin is not None and kind != latin:
            runs.append((latin, current))
            current = ""
        current, latin = current + character, kind
    if current:
        runs.append((latin, current))
    return "".join(
        f'<font name="{LATIN_FONT}">{escape(run)}</font>' if is_latin else escape(run)
        for is_latin, run in runs
    )
