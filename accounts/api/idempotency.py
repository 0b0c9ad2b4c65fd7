"""``Idempotency-Key`` for POSTs that create: a repeat gets the first answer and creates nothing.

The key is scoped to the user. The same key with a different body is refused with 422, so a client
bug cannot silently receive someone else's answer. Answers of 500 are never stored: the client may
retry them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import IdempotencyRecord
from core import rows

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


def request_key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None or key == "":
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({HEADER: [f"Use at most {MAX_KEY_LENGTH} printable characters."]})
    return key


def fingerprint(request: Request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict from a form or multipart body
        data = {k: v for k, v in data.lists()}
    canonical = json.dumps(
        [request.method, request.path, data], sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(request: Request, key: str) -> IdempotencyRecord | None:
    """This user's record for ``key`` (seldom one: read with one plain query)."""
    return rows.first(IdempotencyRecord, user=request.user.pk, key=key)


def _replay(record: IdempotencyRecord, print_: str) -> Response:
    if record.fingerprint != print_:
        raise KeyReused()
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


class _Unstored(Exception):
    def __init__(self, response: Response):
        self.response = response


def _stored_body(response: Response) -> object:
    return json.loads(JSONRenderer().render(response.data) or b"null")


def respond_once(request: Request, key: str, handle: Callable[[], Response]) -> Response:
    """Answer with ``handle()`` the first time this user sends ``key``; replay that answer after.

    For creations that are not unique by themselves: the record is inserted first, inside the
    transaction that creates, so a concurrent request with the same key waits on its unique index
    until we commit, then replays our answer.
    """
    print_ = fingerprint(request)
    existing = _stored(request, key)
    if existing is not None:
        return _replay(existing, print_)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user, key=key, fingerprint=print_, status_code=0
            )
            response = handle()
            if response.status_code >= 500:
                raise _Unstored(response)
            record.status_code = response.status_code
            record.body = _stored_body(response)
            record.save(update_fields=["status_code", "body"])
    except _Unstored as unstored:
        return unstored.response
    except IntegrityError:
        existing = _stored(request, key)
        if existing is None:
            raise
        return _replay(existing, print_)
    return response


def document_key(request: Request, key: str) -> uuid.UUID:
    """The document's own one-time key for this user's Idempotency-Key (see lifecycle.create_once)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bottleworks:{request.user.pk}:{key}")


def respond_once_keyed(request: Request, key: str, handle: Callable[[], Response]) -> Response:
    """Like ``respond_once``, for documents that carry the key themselves (``request_key``).

    The document's unique key already makes a second document impossible, so the service runs in
    its own short transaction (stock locks are not held while the answer is built), and the answer
    is stored after it.
    """
    print_ = fingerprint(request)
    existing = _stored(request, key)
    if existing is not None:
        return _replay(existing, print_)
    response = handle()
    if response.status_code >= 500:
        return response
    try:
        # One plain INSERT in autocommit: no transaction round trips around it.
        rows.insert(
            [
                IdempotencyRecord(
                    user=request.user,
                    key=key,
                    fingerprint=print_,
                    status_code=response.status_code,
                    body=_stored_body(response),
                )
            ]
        )
    except IntegrityError:
        # A concurrent twin stored its answer first: answer as it did (the same document).
        existing = _stored(request, key)
        if existing is None:
            raise
        return _replay(existing, print_)
    return response


class IdempotentCreateMixin:
    """For viewsets: ``create`` honours the Idempotency-Key header.

    A view whose documents carry a ``request_key`` sets ``keyed_documents = True`` and reads
    ``self.document_key`` when it creates.
    """

    keyed_documents = False
    document_key: uuid.UUID | None = None

    def create(self, request: Request, *args, **kwargs) -> Response:
        key = request_key(request)
        if key is None:
            return super().create(request, *args, **kwargs)

        def handle() -> Response:
            try:
                return super(IdempotentCreateMixin, self).create(request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 — turned into the API's error answer, or re-raised
                return self.handle_exception(exc)

        if self.keyed_documents:
            self.document_key = document_key(request, key)
            return respond_once_keyed(request, key, handle)
        return respond_once(request, key, handle)
