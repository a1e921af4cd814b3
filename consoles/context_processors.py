"""Template context shared by every page."""

from django.conf import settings

from commandcenter.access import consoles_of
from consoles.vocabulary import vocabulary


def consoles(request) -> dict:
    """The consoles the user may open (navigation, buttons; the server still
    decides) and the shared vocabulary for the page's scripts."""
    return {
        "consoles": consoles_of(request.user) if request.user.is_authenticated else [],
        "vocabulary": vocabulary(),
        "demo_hints": settings.DEMO_HINTS,
    }
