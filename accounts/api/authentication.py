"""JWT authentication that loads the user, their role and their token's standing in one query.

Roles are still read from the database on every request (a demoted or deactivated user loses access
at once); they only come with the user's row instead of in a second query. The same query says
whether the token's login was ended (logout, a reused refresh token), and the row carries the
user's token version, which ends every older token (password, role or active flag changed).
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
from accounts.token_claims import CHAIN_CLAIM, VERSION_CLAIM


class JWTRoleAuthentication(JWTAuthentication):
    """simplejwt's ``JWTAuthentication``, reading the user's role groups with the user's row."""

    def get_user(self, validated_token: Token):
        try:
            claimed = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        chain = validated_token.get(CHAIN_CLAIM)
        user, chain_revoked = roles.user_for_token(self._primary_key(claimed), str(chain or ""))
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        # A token without our claims was not issued by this server's token classes: refused too.
        if not chain or chain_revoked or validated_token.get(VERSION_CLAIM) != user.token_version:
            raise AuthenticationFailed(_("Token has been revoked; log in again."), code="token_revoked")
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
