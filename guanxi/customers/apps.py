from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.common.search import register_dependent

        from .models import Contact
        from .search import contact_search_text

        # A contact is found by its customer's name: a rename carries over.
        register_dependent(
            Contact, via="customer", text=lambda c: contact_search_text(c, c.customer.name)
        )
