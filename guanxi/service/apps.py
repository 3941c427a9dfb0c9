from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "guanxi.service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        # The service kinds of the customer timeline register themselves on import.
        from . import timeline  # noqa: F401
