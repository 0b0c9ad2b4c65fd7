"""The API's tokens, and the serializers that issue, rotate and end them (claims: ``token_claims``)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import tokens as jwt_tokens
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import services
from accounts.api.authentication import JWTRoleAuthentication
from accounts.token_claims import AUTH_TIME_CLAIM, CHAIN_CLAIM, VERSION_CLAIM, chain_end


class RefreshTokenReused(TokenError):
    """A refresh token that was already rotated (or logged out) was presented again."""

    def __init__(self, message: str, claims: dict[str, Any]):
        super().__init__(message)
        self.claims = claims


class RefreshToken(jwt_tokens.RefreshToken):
    """simplejwt's rotating refresh token, with the claims of ``accounts.token_claims``."""

    @classmethod
    def for_user(cls, user) -> RefreshToken:
        token = super().for_user(user)
        token[VERSION_CLAIM] = user.token_version
        token[CHAIN_CLAIM] = uuid4().hex
        token[AUTH_TIME_CLAIM] = token["iat"]
        return token

    def set_exp(self, claim: str = "exp", from_time=None, lifetime=None) -> None:
        super().set_exp(claim, from_time, lifetime)
        if claim == "exp" and AUTH_TIME_CLAIM in self.payload:
            self.payload["exp"] = min(self.payload["exp"], chain_end(self.payload))

    @property
    def access_token(self) -> jwt_tokens.AccessToken:
        access = super().access_token
        if AUTH_TIME_CLAIM in access:
            access["exp"] = min(access["exp"], chain_end(access.payload))
        return access

    def check_blacklist(self) -> None:
        try:
            super().check_blacklist()
        except TokenError as error:
            raise RefreshTokenReused(error.args[0], dict(self.payload)) from error


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    token_class = RefreshToken


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Rotate a refresh token of a live login; a rotated one presented again ends its login."""

    token_class = RefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            with transaction.atomic():
                return self._rotate(attrs)
        except RefreshTokenReused as reused:
            # Committed on its own: the refusal below must not undo it.
            services.end_token_chain(claims=reused.claims, reason="rotated refresh token reused")
            raise

    def _rotate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])
        # Of two refreshes of one token, the second waits here and then finds it rotated.
        # (Its model orders by user, an outer join that FOR UPDATE refuses: no ordering here.)
        list(
            OutstandingToken.objects.select_for_update()
            .filter(jti=refresh[api_settings.JTI_CLAIM])
            .order_by()
            .values("pk")
        )
        refresh.check_blacklist()
        # The refresh token is judged as a request's access token is: live user, version, login.
        JWTRoleAuthentication().get_user(refresh)
        if AUTH_TIME_CLAIM not in refresh or chain_end(refresh) <= refresh.current_time.timestamp():
            raise AuthenticationFailed(_("The login has expired; log in again."), code="login_expired")
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist:  # deleted meanwhile
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from None


class LogoutSerializer(jwt_serializers.TokenBlacklistSerializer):
    """Blacklist the refresh token and end its login, every access token of it included."""

    token_class = RefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        try:
            refresh = self.token_class(attrs["refresh"])
        except RefreshTokenReused as reused:
            services.end_token_chain(claims=reused.claims, reason="rotated refresh token reused")
            raise
        refresh.blacklist()
        services.end_token_chain(claims=refresh.payload, reason="logout")
        return {}
