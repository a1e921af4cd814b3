"""The Django admin, loading only the admin modules of our apps and Django's."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.apps import SimpleAdminConfig


class TianshuAdminConfig(SimpleAdminConfig):
    """Plain autodiscovery would import django-leaflet's admin, which needs GDAL;
    we use leaflet's template tags only and keep geometry as GeoJSON."""

    def ready(self) -> None:
        super().ready()
        wanted = {*settings.PROJECT_APPS, *settings.ADMIN_THIRD_PARTY_APPS}
        for app_config in apps.get_app_configs():
            if app_config.name in wanted or app_config.name.startswith("django.contrib"):
                try:
                    import_module(f"{app_config.name}.admin")
                except ModuleNotFoundError as error:
                    if error.name != f"{app_config.name}.admin":
                        raise
