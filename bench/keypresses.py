"""Keys pressed for a 5-line bill entered by keyboard alone, beside the paper baseline (issue 14).

    .venv/bin/python bench/keypresses.py

Runs the browser flow ``tests/browser/test_pickers.py::test_a_five_line_bill_by_keyboard_alone_at_
360_px_posts_at_the_customers_list_prices`` (system Chromium at 360 px; its own throwaway
PostgreSQL through the test run's plugin), which counts every key it presses — each typed
character, each Enter, Ctrl+Enter as two — and writes the count to test-output/keypresses.json.

Paper baseline: customer ~10 + date 8 + 5 × (item ~8 + quantity ~3 + price ~4) ≈ 95 characters.
Target: at most 60 keys with the customer's prices filled in, and no mouse.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output" / "keypresses.json"
TEST = (
    "tests/browser/test_pickers.py::"
    "test_a_five_line_bill_by_keyboard_alone_at_360_px_posts_at_the_customers_list_prices"
)
PAPER = 10 + 8 + 5 * (8 + 3 + 4)


def main() -> int:
    OUT.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST], cwd=ROOT)
    if done.returncode or not OUT.exists():
        print("the browser flow failed; no figure")
        return 1
    keys = json.loads(OUT.read_text())["keys"]
    print(f"5-line bill by keyboard: {keys} keys in the form (paper: about {PAPER} characters; target <= 60)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
