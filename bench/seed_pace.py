"""seed_demo's pace: lines a second and seconds per million lines, two code trees taking turns.

    .venv/bin/python bench/seed_pace.py --tree old=/path/to/old/checkout --tree new=. --turns 2
    .venv/bin/python bench/seed_pace.py --tree new=. --days 365 --scale 1.0 --turns 1   # a million

Each turn starts a fresh throwaway PostgreSQL (testing.postgres: fsync off), migrates it with the
tree's own code, makes an Owner, a Manager and Staff (``create_demo_users``) and runs that tree's
``seed_demo --no-verify`` in a subprocess. The trees alternate (old, new, old, new …), so load
from other work on the machine falls on both alike; the load average is printed with each turn.
The time is the one seed_demo prints for its days ("Seeded N days in X s"), and the whole
command's wall time next to it. Prints Markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEEDED = re.compile(r"Seeded (\d+) days in (\d+) s: ([\d,]+) bills with ([\d,]+) lines")


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
    }


def turn(name: str, tree: Path, args) -> str:
    from testing.postgres import start_cluster

    cluster = start_cluster(create_database=True)
    try:
        env = _environment(cluster.url)
        python = str(ROOT / ".venv" / "bin" / "python")

        def manage(*words: str, **extra: str) -> str:
            done = subprocess.run(
                [python, "manage.py", *words], cwd=tree, env={**env, **extra}, capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(f"{name}: manage.py {' '.join(words)} failed:\n{done.stderr[-3000:]}")
            return done.stdout

        manage("migrate", "--verbosity", "0")
        manage("create_demo_users", DEBUG="1")  # demo users are made in demo mode only
        before = os.getloadavg()
        started = time.monotonic()
        out = manage(
            "seed_demo",
            "--days",
            str(args.days),
            "--scale",
            str(args.scale),
            "--end",
            args.end,
            "--no-verify",
        )
        wall = time.monotonic() - started
        after = os.getloadavg()
    finally:
        cluster.stop()
    found = SEEDED.search(out)
    if not found:
        raise SystemExit(f"{name}: no 'Seeded …' line in:\n{out}")
    days, seconds, bills, lines = found.groups()
    seconds, lines = int(seconds), int(lines.replace(",", ""))
    per_second = lines / seconds
    per_million = 1_000_000 / per_second
    return (
        f"| {name} | {lines:,} | {seconds} | {wall:.0f} | {per_second:,.0f} | {per_million:,.0f} | "
        f"{before[0]:.1f} → {after[0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="name=path of a checkout")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--end", default="2026-05-31")
    parser.add_argument("--turns", type=int, default=2, help="turns of each tree")
    args = parser.parse_args()
    trees = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1]).resolve()) for spec in args.tree]
    print(f"seed_demo --days {args.days} --scale {args.scale} --end {args.end}")
    print("| tree | lines | seeding (s) | command (s) | lines a second | s per million | load (1 min) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for _ in range(args.turns):
        for name, tree in trees:
            print(turn(name, tree, args), flush=True)


if __name__ == "__main__":
    main()
