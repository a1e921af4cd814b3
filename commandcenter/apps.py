from importlib import import_module

from django.apps import AppConfig, apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.translation import gettext_lazy as _

PROJECT_APPS = (
    "commandcenter",
    "incidents",
    "dispatch",
    "patrol",
    "community",
    "analytics",
    "django_celery_beat",
    "rest_framework.authtoken",
)


class CommandCenterConfig(AppConfig):
    name = "commandcenter"
    verbose_name = _("Command center")


class TianshuAdminConfig(SimpleAdminConfig):
    """Django admin that loads only our apps' admin modules.

    Plain autodiscovery would import django-leaflet's admin, which needs GDAL;
    we use leaflet's template tags only and keep geometry as GeoJSON.
    """

    def ready(self) -> None:
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in PROJECT_APPS or app_config.name.startswith("django.contrib"):
                try:
                    import_module(f"{app_config.name}.admin")
                except ModuleNotFoundError as error:
                    if error.name != f"{app_config.name}.admin":
                        raise
