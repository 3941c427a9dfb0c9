from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from guanxi.common.search import register_dependent

        from .models import Contract, Opportunity
        from .search import contract_text_now, opportunity_text_now

        # Found by their customer's name (and competitors'): a rename carries over.
        register_dependent(Opportunity, via="customer", text=opportunity_text_now)
        register_dependent(Opportunity, via="competitors", text=opportunity_text_now)
        register_dependent(Contract, via="customer", text=contract_text_now)
