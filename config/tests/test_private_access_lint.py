"""The lint in CI refuses a dependency's private module or attribute, and allows the documented few."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")


def _findings(source: str) -> list[tuple[str, str]]:
    """(rule, message) of each private-access finding in ``source``, linted with the project's config."""
    result = subprocess.run(
        [str(RUFF), "check", "--output-format", "json", "--stdin-filename", "config/example.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    return [
        (found["code"], found["message"])
        for found in json.loads(result.stdout)
        if found["code"] in ("SLF001", "PLC2701")
    ]


def test_a_private_attribute_or_module_of_a_dependency_is_refused():
    source = (
        "from psycopg import _queries\n\n\n"
        "def f(queryset, obj):\n"
        "    queryset._result_cache = []\n"
        '    obj._prepare_related_fields_for_save(operation_name="insert")\n'
        "    return _queries\n"
    )
    found = _findings(source)
    assert any(code == "PLC2701" and "_queries" in message for code, message in found), found
    assert any(code == "SLF001" and "_result_cache" in message for code, message in found), found
    assert any(code == "SLF001" and "_prepare_related" in message for code, message in found), found


def test_the_documented_underscored_names_are_allowed():
    source = "def f(obj, user):\n    obj._history_user = user\n    return obj._meta, obj._state\n"
    assert _findings(source) == []
