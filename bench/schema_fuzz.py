"""schemathesis with every check over the whole API, as Staff, Manager and Owner, at a bench budget.

    .venv/bin/python bench/schema_fuzz.py [--examples 25]

Runs core/tests/test_api_schema_fuzz.py (its fixtures, its one commented exclusion) in this process
with ``BOTTLEWORKS_FUZZ_EXAMPLES`` set, on the throwaway PostgreSQL the test run starts, and
counts what happened: operations passed and failed per role, and the requests schemathesis sent
(the examples, plus those its checks send on their own, e.g. without credentials or with an
unsupported method), by role and status class. The figures go to bench/out/schema_fuzz.json.
Exit code 1 if any operation failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "bench" / "out"
TEST = "core/tests/test_api_schema_fuzz.py"


class Counter:
    """A pytest plugin counting subtest outcomes per role, and a schemathesis hook counting calls."""

    def __init__(self) -> None:
        self.role = "?"
        self.operations: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.requests: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.failed: list[str] = []

    def pytest_runtest_setup(self, item) -> None:
        self.role = item.callspec.id if hasattr(item, "callspec") else "?"

    def pytest_runtest_logreport(self, report) -> None:
        label = getattr(getattr(report, "context", None), "kwargs", {}).get("label")
        if report.when != "call" or label is None:
            return
        self.operations[self.role][report.outcome] += 1
        if report.outcome == "failed":
            self.failed.append(f"{self.role}: {label}")

    def after_call(self, context, case, response) -> None:
        self.requests[self.role][f"{response.status_code // 100}xx"] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation and role")
    args = parser.parse_args()

    os.chdir(PROJECT)
    sys.path.insert(0, str(PROJECT))
    os.environ["BOTTLEWORKS_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)

    import pytest
    import schemathesis

    counter = Counter()

    def after_call(context, case, response) -> None:
        counter.after_call(context, case, response)

    schemathesis.hook("after_call")(after_call)
    started = time.monotonic()
    code = pytest.main([TEST, "-q", "-p", "no:cacheprovider", "-W", "ignore"], plugins=[counter])
    seconds = time.monotonic() - started

    totals = collections.Counter()
    for counts in counter.requests.values():
        totals.update(counts)
    result = {
        "examples_per_operation_and_role": args.examples,
        "seconds": round(seconds, 1),
        "python": platform.python_version(),
        "schemathesis": schemathesis.__version__,
        "cpus": os.cpu_count(),
        "operations": {role: dict(c) for role, c in counter.operations.items()},
        "requests": {role: dict(c) for role, c in counter.requests.items()},
        "requests_total": sum(totals.values()),
        "failed": counter.failed,
        "pytest_exit_code": int(code),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "schema_fuzz.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if code == 0 and not counter.failed else 1


if __name__ == "__main__":
    sys.exit(main())
