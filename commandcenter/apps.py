from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class CommandCenterConfig(AppConfig):
    name = "commandcenter"
    verbose_name = _("Command center")

    def ready(self) -> None:
        from commandcenter import lockout, sessions  # noqa: F401  (signal receivers)
        from commandcenter.choices import Role

        unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"OTP_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}"
            )
