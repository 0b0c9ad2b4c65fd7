"""JWT authentication that loads the user and their role in one query.

Roles are still read from the database on every request (a demoted or deactivated user loses access
at once); they only come with the user's row instead of in a second query.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import roles


class JWTRoleAuthentication(JWTAuthentication):
    """simplejwt's ``JWTAuthentication``, reading the user's role groups with the user's row."""

    def get_user(self, validated_token: Token):
        try:
            claimed = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = roles.user_with_role(self._primary_key(claimed))
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user

    def _primary_key(self, claimed) -> int:
        """The claimed id as a key the database can look up; an impossible one names no user."""
        field = self.user_model._meta.pk
        if api_settings.USER_ID_FIELD not in (field.name, field.attname):
            raise InvalidToken(_("Token contained no recognizable user identification"))
        try:
            pk = field.to_python(claimed)
        except (ValidationError, TypeError, ValueError):
            pk = None
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if not isinstance(pk, int) or not low <= pk <= high:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        return pk


class JWTRoleAuthenticationScheme(SimpleJWTScheme):
    """The same bearer-token entry in the OpenAPI schema as simplejwt's own class gets."""

    target_class = "accounts.api.authentication.JWTRoleAuthentication"
