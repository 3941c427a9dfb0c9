"""Pages: opportunities and the pipeline board, tasks, products."""

from django.urls import path

from .views import opportunities, products, tasks

urlpatterns: list = [
    # opportunities
    path("opportunities/", opportunities.opportunity_list_view, name="opportunity_list"),
    path("opportunities/new/", opportunities.opportunity_create_view, name="opportunity_create"),
    path("opportunities/board/", opportunities.opportunity_board_view, name="opportunity_board"),
    path(
        "opportunities/board/cards/",
        opportunities.opportunity_board_cards_view,
        name="opportunity_board_cards",
    ),
    path(
        "opportunities/<int:pk>/",
        opportunities.opportunity_detail_view,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:pk>/edit/",
        opportunities.opportunity_edit_view,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:pk>/move/",
        opportunities.opportunity_move_view,
        name="opportunity_move",
    ),
    path("opportunities/<int:pk>/win/", opportunities.opportunity_win_view, name="opportunity_win"),
    path(
        "opportunities/<int:pk>/lose/", opportunities.opportunity_lose_view, name="opportunity_lose"
    ),
    path(
        "opportunities/<int:pk>/reopen/",
        opportunities.opportunity_reopen_view,
        name="opportunity_reopen",
    ),
    path(
        "opportunities/<int:pk>/delete/",
        opportunities.opportunity_delete_view,
        name="opportunity_delete",
    ),
    # tasks
    path("tasks/", tasks.task_list_view, name="task_list"),
    path("tasks/new/", tasks.task_create_view, name="task_create"),
    path("tasks/<int:pk>/", tasks.task_detail_view, name="task_detail"),
    path("tasks/<int:pk>/edit/", tasks.task_edit_view, name="task_edit"),
    path("tasks/<int:pk>/complete/", tasks.task_complete_view, name="task_complete"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen_view, name="task_reopen"),
    path("tasks/<int:pk>/delete/", tasks.task_delete_view, name="task_delete"),
    # products
    path("products/", products.product_list_view, name="product_list"),
    path("products/new/", products.product_create_view, name="product_create"),
    path("products/<int:pk>/", products.product_detail_view, name="product_detail"),
    path("products/<int:pk>/edit/", products.product_edit_view, name="product_edit"),
    path("products/<int:pk>/delete/", products.product_delete_view, name="product_delete"),
    path(
        "products/<int:pk>/deactivate/",
        products.product_deactivate_view,
        name="product_deactivate",
    ),
]
