"""Template context shared by every page."""

from commandcenter.access import consoles_of


def consoles(request) -> dict:
    """The consoles the user may open (navigation, buttons); the server still decides."""
    return {"consoles": consoles_of(request.user) if request.user.is_authenticated else []}
