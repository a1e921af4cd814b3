"""Page routes of the consoles: dispatcher, street office, station."""

urlpatterns: list = []
