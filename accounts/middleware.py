"""Django's authentication middleware, with a user that tells whether it has been read yet."""

from __future__ import annotations

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


class UserReadOnceMiddleware(AuthenticationMiddleware):
    """``request.user`` is read from the session on first use, as in Django's middleware; once
    read, it is also ``request.loaded_user``, so logging can name the user without reading it
    itself (a query of its own, maybe inside a failed transaction)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)

        def load():
            user = auth.get_user(request)
            request.loaded_user = user
            return user

        request.user = SimpleLazyObject(load)
