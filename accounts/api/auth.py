"""JWT endpoints: obtain (behind the login lockout), refresh (rotating), logout, and /me."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import roles


class NoSessionMixin:
    """Credentials travel in the body, so neither session nor CSRF applies; a bad token is a 401."""

    authentication_classes: list = []

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenObtainView(NoSessionMixin, TokenObtainPairView):
    """Exchange a username and password for an access token (24 h) and a refresh token.

    Five failures for one username from one address lock that pair out (429), as on the web login,
    and twenty from one address, whatever the usernames, refuse every login from it for a while.
    """

    error_codes = ("400", "401", "406", "415", "429")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        # django-axes marks the lockout on the request it is given, and its middleware turns the
        # mark into the lockout answer; the middleware sees Django's request, not DRF's wrapper.
        context["request"] = self.request._request
        return context

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        # A token is a login, like the web's: axes clears this username's failures at this address,
        # and the audit log records it.
        user_logged_in.send(sender=type(serializer.user), request=request._request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class TokenRefreshRotatingView(NoSessionMixin, TokenRefreshView):
    """A new access token and a new refresh token; the refresh token sent is blacklisted."""

    authentication_classes: list = []
    error_codes = ("400", "401", "406", "415")


class LogoutView(NoSessionMixin, APIView):
    """Blacklist a refresh token, so it can never be used again."""

    permission_classes = [AllowAny]
    error_codes = ("400", "401", "406", "415")

    @extend_schema(request=TokenBlacklistSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = TokenBlacklistSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the caller is, and the role read from the database on this very request."""

    permission_classes = [IsAuthenticated]
    error_codes = ("401", "406")

    @extend_schema(
        responses=inline_serializer(
            "Me",
            fields={
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "email": serializers.CharField(),
                "role": serializers.ChoiceField(choices=roles.Role.choices, allow_null=True),
                "can_enter_data": serializers.BooleanField(),
                "can_see_costs": serializers.BooleanField(),
                "can_approve": serializers.BooleanField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "name": str(user),
                "email": user.email,
                "role": roles.role_of(user),
                "can_enter_data": roles.can_enter_data(user),
                "can_see_costs": roles.can_see_costs(user),
                "can_approve": roles.can_approve(user),
            }
        )
