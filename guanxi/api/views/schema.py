from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, always JSON (application/json unless the client asks for
    application/vnd.oai.openapi+json)."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer]
