"""JWT endpoints: obtain (behind the login lockout), refresh (rotating), logout, password, and /me."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import roles, services
from accounts.api.tokens import LogoutSerializer


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

    def initialize_request(self, request, *args, **kwargs) -> Request:
        # Django's own request, kept as the view is given it, before DRF wraps it.
        self.django_request = request
        return super().initialize_request(request, *args, **kwargs)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        # django-axes marks the lockout on the request it is given, and its middleware turns the
        # mark into the lockout answer; the middleware sees Django's request, not DRF's wrapper.
        context["request"] = self.django_request
        return context

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        # A token is a login, like the web's: axes clears this username's failures at this address,
        # and the audit log records it.
        user_logged_in.send(sender=type(serializer.user), request=self.django_request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class TokenRefreshRotatingView(NoSessionMixin, TokenRefreshView):
    """A new access token and a new refresh token; the refresh token sent is blacklisted.

    A refresh token already rotated, sent again, ends its whole login (someone holds a copy); and a
    login ends ``REFRESH_CHAIN_LIFETIME`` after it began, however often it was refreshed.
    """

    authentication_classes: list = []
    error_codes = ("400", "401", "406", "415")


class LogoutView(NoSessionMixin, APIView):
    """End the login of a refresh token: it, and every access token of that login, are refused.

    The access token sent with the call (if any) ends too, even if it came from another login.
    """

    permission_classes = [AllowAny]
    error_codes = ("400", "401", "406", "415")

    @extend_schema(request=LogoutSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        access = _access_token_sent(request)
        if access is not None:
            services.end_token_chain(claims=access.payload, reason="logout")
        return Response(status=status.HTTP_204_NO_CONTENT)


def _access_token_sent(request: Request):
    """The valid access token in the Authorization header, or None (an invalid one is dead already)."""
    reader = JWTAuthentication()
    header = reader.get_header(request)
    raw = reader.get_raw_token(header) if header is not None else None
    if raw is None:
        return None
    try:
        return reader.get_validated_token(raw)
    except InvalidToken:
        return None


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=4096)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=4096)


class PasswordChangeView(APIView):
    """Change the caller's own password. Ends every API token and every other web session of theirs.

    A browser calling with its session stays logged in; a token caller logs in again with the new
    password.
    """

    permission_classes = [IsAuthenticated]
    error_codes = ("400", "401", "403", "406", "415")

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.change_password(
                user=request.user,
                old_password=serializer.validated_data["old_password"],
                new_password=serializer.validated_data["new_password"],
            )
        except services.PasswordRefused as refused:
            raise serializers.ValidationError({refused.field: refused.messages}) from None
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request, user)
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
