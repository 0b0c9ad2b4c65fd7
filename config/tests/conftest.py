"""A second database alias, 'reporting', for the read-replica router tests.

It is the test database under another name (a TEST MIRROR, as Django calls it), so a test can see
which connection a query ran on while both see the same data. It only exists in test runs that
include these tests; the router ignores it unless DATABASE_ROUTERS is set (as settings.py does for
REPORTING_DATABASE_URL).
"""

from django.db import connections

from reporting.routers import ALIAS

_primary = connections.settings["default"]
connections.settings.setdefault(
    ALIAS, {**_primary, "TEST": {**_primary.get("TEST", {}), "MIRROR": "default"}}
)
