"""The OpenAPI schema's extras (every operation's error responses) and the API's two bare views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import ErrorSerializer
from core.api.fields import MAX_ID

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: field errors, and line errors keyed by line index.",
    "401": "Not authenticated (send `Authorization: Bearer <access token>`).",
    "403": "Your role may not do this.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflicts with the current state: insufficient stock (with shortages), wrong state, "
    "closed period.",
    "415": "Unsupported media type.",
    "422": "The Idempotency-Key was already used with a different request body.",
    "429": "Too many failed logins: locked out for a while.",
}
_READ_ERRORS = ("400", "401", "403", "404", "406")
_WRITE_ERRORS = ("400", "401", "403", "404", "406", "409", "415", "422")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses every operation can give.

    Fields hidden from Staff (the costs of ``accounts.costs``) are documented but never required.
    """

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        codes = getattr(self.view, "error_codes", None)
        if codes is None:
            codes = _READ_ERRORS if self.method in ("GET", "HEAD") else _WRITE_ERRORS
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def get_request_serializer(self):
        # Views that parse with one serializer and answer with another name the input one.
        input_class = getattr(self.view, "get_input_serializer_class", lambda: None)()
        if input_class is not None:
            return input_class(context=self.view.get_serializer_context())
        return super().get_request_serializer()

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        hidden = getattr(serializer, "cost_field_names", frozenset)()
        if hidden and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in hidden]
            if not schema["required"]:
                del schema["required"]
        return schema


# Fields whose schema states every rule the field checks -----------------------------------------
# An extension's schema gets the field's meta (nullable, default, title, read/write only) added
# by drf-spectacular. ``_map_serializer_field(..., bypass_extensions=True)`` is the way its
# extension documentation gives to start from the schema it would have made.


class StrictDecimalFieldSchema(OpenApiSerializerFieldExtension):
    """core.api.fields.DecimalField: its own pattern, and "not zero" when its least is one step."""

    target_class = "core.api.fields.DecimalField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        field = self.target
        schema = {"type": "string", "format": "decimal", "pattern": field.pattern}
        step = Decimal(1).scaleb(-field.decimal_places)
        if field.min_value is not None and field.min_value == step:
            schema["not"] = {"pattern": r"^0+(?:\.0+)?$"}
        return schema


class StrictPrimaryKeySchema(OpenApiSerializerFieldExtension):
    """core.api.fields.PrimaryKeyRelatedField takes a JSON integer from 1 to the largest bigint."""

    target_class = "core.api.fields.PrimaryKeyRelatedField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class CharFieldSchema(OpenApiSerializerFieldExtension):
    """What DRF's CharField refuses beyond its lengths: NUL characters (which PostgreSQL cannot store)
    and, where blank is not allowed, a value of only spaces (it is trimmed to nothing first)."""

    target_class = serializers.CharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        field = self.target
        # drf-spectacular's documented way for a field extension to build on the default schema
        # (its "Customization" guide: OpenApiSerializerFieldExtension).
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)  # noqa: SLF001
        if (
            direction != "request"
            or schema.get("type") != "string"
            or {"pattern", "format", "enum"} & set(schema)
        ):
            return schema
        if field.allow_blank or not field.trim_whitespace:
            schema["pattern"] = r"^[^\u0000]*$"
        else:
            schema["pattern"] = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
        return schema


@extend_schema(
    responses={200: inline_serializer("Ping", fields={"status": serializers.CharField()})},
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def ping(request: Request) -> Response:
    """A bare JSON answer from the API stack, with no database work: for load balancers and benches."""
    return Response({"status": "ok"})


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request: Request, *args: Any, **kwargs: Any) -> Response:
    """Any other URL under /api/v1/: a JSON 404 in the one error shape, not an HTML page."""
    raise exceptions.NotFound("No such API endpoint.")
