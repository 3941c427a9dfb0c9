from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "guanxi.api"
