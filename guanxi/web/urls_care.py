"""Pages: customer care, churn warning and lost customers, competitors, industry news,
notifications."""

from django.urls import path

from .views import care, market, notifications

urlpatterns: list = [
    # care actions
    path("care/", care.care_list_view, name="care_list"),
    path("care/new/", care.care_create_view, name="care_create"),
    path("care/<int:pk>/", care.care_detail_view, name="care_detail"),
    path("care/<int:pk>/edit/", care.care_edit_view, name="care_edit"),
    path("care/<int:pk>/done/", care.care_done_view, name="care_done"),
    path("care/<int:pk>/skip/", care.care_skip_view, name="care_skip"),
    path("care/<int:pk>/delete/", care.care_delete_view, name="care_delete"),
    # churn warning, lost customers
    path("care/churn/", care.churn_list_view, name="churn_list"),
    path("care/lost/", care.lost_list_view, name="lost_list"),
    path(
        "customers/<int:pk>/mark-lost/",
        care.customer_mark_lost_view,
        name="customer_mark_lost",
    ),
    path("customers/<int:pk>/win-back/", care.care_win_back_view, name="care_win_back"),
    # competitors
    path("competitors/", market.competitor_list_view, name="competitor_list"),
    path("competitors/new/", market.competitor_create_view, name="competitor_create"),
    path("competitors/<int:pk>/", market.competitor_detail_view, name="competitor_detail"),
    path("competitors/<int:pk>/edit/", market.competitor_edit_view, name="competitor_edit"),
    path("competitors/<int:pk>/delete/", market.competitor_delete_view, name="competitor_delete"),
    # industry news
    path("news/", market.news_list_view, name="news_list"),
    path("news/new/", market.news_create_view, name="news_create"),
    path("news/<int:pk>/", market.news_detail_view, name="news_detail"),
    path("news/<int:pk>/edit/", market.news_edit_view, name="news_edit"),
    path("news/<int:pk>/delete/", market.news_delete_view, name="news_delete"),
    # notifications
    path("notifications/", notifications.notification_list_view, name="notification_list"),
    path("notifications/badge/", notifications.notification_badge_view, name="notification_badge"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all_view,
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open_view,
        name="notification_open",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read_view,
        name="notification_read",
    ),
]
