"""Pages: contracts with their lines and approval, payments and receivables, sales records,
sales settings."""

from django.urls import path

from .views import contracts, payments, sales_records, sales_settings

urlpatterns = [
    # contracts
    path("contracts/", contracts.contract_list_view, name="contract_list"),
    path("contracts/new/", contracts.contract_create_view, name="contract_create"),
    path("contracts/approvals/", contracts.approval_queue_view, name="approval_queue"),
    path(
        "contracts/opportunity-options/",
        contracts.contract_opportunity_options_view,
        name="contract_opportunity_options",
    ),
    path("contracts/<int:pk>/", contracts.contract_detail_view, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit_view, name="contract_edit"),
    *[
        path(
            f"contracts/<int:pk>/{action}/",
            contracts.contract_action_view,
            {"action": action},
            name=f"contract_{action}",
        )
        for action in contracts.ACTIONS
    ],
    path(
        "contracts/<int:pk>/payments/new/",
        contracts.contract_payment_create_view,
        name="contract_payment_create",
    ),
    path("products/pick/", contracts.product_pick_view, name="product_pick"),
    # payments
    path("payments/", payments.payment_list_view, name="payment_list"),
    path("payments/<int:pk>/delete/", payments.payment_delete_view, name="payment_delete"),
    path("receivables/", payments.receivables_view, name="receivables"),
    # sales records
    path("sales-records/", sales_records.sales_record_list_view, name="sales_record_list"),
    path("sales-records/new/", sales_records.sales_record_create_view, name="sales_record_create"),
    path(
        "sales-records/<int:pk>/edit/",
        sales_records.sales_record_edit_view,
        name="sales_record_edit",
    ),
    path(
        "sales-records/<int:pk>/delete/",
        sales_records.sales_record_delete_view,
        name="sales_record_delete",
    ),
    # settings
    path("system/sales-settings/", sales_settings.sales_settings_view, name="sales_settings"),
]
