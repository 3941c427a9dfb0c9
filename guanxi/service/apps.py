from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "guanxi.service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        # The service kinds of the customer timeline register themselves on import.
        from guanxi.common.search import register_dependent

        from . import timeline  # noqa: F401
        from .models import Feedback
        from .search import feedback_text_now

        # Feedback is found by its customer's and contact's names: a rename carries over.
        register_dependent(Feedback, via="customer", text=feedback_text_now)
        register_dependent(Feedback, via="contact", text=feedback_text_now)
