"""What an error report (the mail to ADMINS, a debug page) may show of a failed request.

Django hides POST fields only where a view names them with ``sensitive_post_parameters``, and the
API takes JSON, which that decorator never sees: a password or a token would reach the report
through the traceback's local variables (the parsed body, ``attrs``, ``password=``, the raw text
being parsed). This filter hides, for every request, values under a sensitive name wherever they
appear: POST fields, local variables, keys of dicts and lists inside them, ``"key": "value"`` and
``key=value`` pairs inside text and reprs (a serializer's repr shows the data it was given), and
anything shaped like a JWT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, QueryDict
from django.views.debug import SafeExceptionReporterFilter

# Field and variable names whose values are credentials: passwords (new_password1, old_password),
# the JWT pair ("access", "refresh") and anything called a token, secret or key.
SENSITIVE_NAME = re.compile(
    r"^(?:access|refresh)$|password|passwd|secret|token|api_?key|signature|authorization|cookie", re.I
)
_NAMES = r"access|refresh|[\w-]*(?:password|passwd|secret|token)[\w-]*"
_QUOTED = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\[[^\]]*\])"""
# "password": "…" in JSON text or a dict's repr, and password=… in a form body or a repr's kwargs.
_KEYED = re.compile(rf"""((["'])(?:{_NAMES})\2\s*:\s*){_QUOTED}""", re.I)
_ASSIGNED = re.compile(rf"""((?<![\w-])(?:{_NAMES})=)(?:{_QUOTED}|[^&\s,)\]}}]*)""", re.I)
# A JWT under any name (a positional argument, a header's value): header.payload.signature.
_JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]+")
# Reports show containers only a few levels deep; deeper ones are summarised, not walked.
_MAX_DEPTH = 8


class _Shown:
    """A value the report shows by a scrubbed copy of its repr (a serializer shows its data)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class SensitiveDataFilter(SafeExceptionReporterFilter):
    """Django's filter, plus credentials hidden by name in every request and every frame."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        if request is None or not self.is_active(request):
            return parameters
        return self.scrub(parameters)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame) -> list:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        if not self.is_active(request):
            return variables
        return [
            (name, self.cleansed_substitute if _sensitive(name) else self.scrub(value))
            for name, value in variables
        ]

    def scrub(self, value: Any, depth: int = 0) -> Any:
        """``value`` with every credential in it replaced by the filter's stars."""
        if depth > _MAX_DEPTH:
            return f"<{type(value).__name__} nested too deeply to show>"
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, bytes | bytearray):
            return self.scrub(bytes(value).decode("utf-8", "replace"), depth)
        if isinstance(value, QueryDict):
            cleansed = value.copy()
            for key in cleansed:
                if _sensitive(key):
                    cleansed.setlist(key, [self.cleansed_substitute])
            return cleansed
        if isinstance(value, Mapping):
            return {
                key: self.cleansed_substitute if _sensitive(key) else self.scrub(item, depth + 1)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            items = [self.scrub(item, depth + 1) for item in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, int | float | bool) or value is None:
            return value
        try:
            text = repr(value)
        except Exception:  # the report shows why a repr failed; nothing to hide in that
            return value
        scrubbed = self.scrub_text(text)
        return value if scrubbed == text else _Shown(scrubbed)

    def scrub_text(self, text: str) -> str:
        text = _KEYED.sub(rf'\g<1>"{self.cleansed_substitute}"', text)
        text = _ASSIGNED.sub(rf"\g<1>{self.cleansed_substitute}", text)
        return _JWT.sub(self.cleansed_substitute, text)


def _sensitive(name: Any) -> bool:
    return isinstance(name, str) and SENSITIVE_NAME.search(name) is not None
