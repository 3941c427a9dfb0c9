from django.urls import include, path

from guanxi.web.views.auth import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("guanxi.api.urls")),
    path("", include("guanxi.web.urls")),
]
