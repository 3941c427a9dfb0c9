from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the token from POST /api/v1/auth/token/."""

    keyword = "Bearer"
