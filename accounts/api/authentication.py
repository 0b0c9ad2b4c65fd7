"""JWT authentication that loads the user and their role in one query.

Roles are still read from the database on every request (a demoted or deactivated user loses access
at once); they only come with the user's row instead of in a second query.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import roles


class JWTRoleAuthentication(JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` with the role flags annotated on the user query."""

    def get_user(self, validated_token: Token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        users = self.user_model.objects.annotate(**roles.role_annotations())
        try:
            user = users.get(**{api_settings.USER_ID_FIELD: user_id})
        except (self.user_model.DoesNotExist, ValueError, TypeError) as error:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from error
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        roles.prime_role(user)
        return user


class JWTRoleAuthenticationScheme(SimpleJWTScheme):
    """The same bearer-token entry in the OpenAPI schema as simplejwt's own class gets."""

    target_class = "accounts.api.authentication.JWTRoleAuthentication"
