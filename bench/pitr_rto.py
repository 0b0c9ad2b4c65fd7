"""Point-in-time recovery: how long a restore to a moment takes here (the RTO), with pgBackRest.

    .venv/bin/python bench/pitr_rto.py                 # 200 bills before the moment, 100 after
    .venv/bin/python bench/pitr_rto.py --bills 2000

Starts a private, durable PostgreSQL (fsync on, as production runs) that archives its WAL to a
fresh pgBackRest repository, migrates it, takes a full backup, posts bills through the services,
notes the moment, posts more, and then restores into a new folder as of that moment: the restore
(files from the repository), the start and the WAL replay up to the moment are timed apart. Checks
that exactly the bills before the moment came back. Bounded: each step has its own time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing.archiving import archiving_cluster, run_step, started, wait_for_promotion  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=200, help="bills posted before the moment")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs; durable PostgreSQL")
    with archiving_cluster(durable=True) as archiving:
        url = archiving.cluster.url
        run_step(url, "setup")
        started_at = time.monotonic()
        archiving.tool.backup("full")
        print(f"full backup: {time.monotonic() - started_at:.1f} s")
        # pgBackRest compares a moment with each backup's stop time to the second, and restores
        # only from one that stopped before it: the bills come a second after the backup.
        time.sleep(1.1)
        run_step(url, "sell", str(args.bills))
        before = json.loads(run_step(url, "bills"))
        moment = datetime.fromisoformat(archiving.sql("SELECT clock_timestamp()"))
        time.sleep(1.1)
        run_step(url, "sell", str(max(1, args.bills // 2)))
        archiving.tool.check()
        size = archiving.sql("SELECT pg_size_pretty(pg_database_size('bottleworks'))")
        print(f"database: {size}, {len(before)} bills before the moment")

        restored = Path(archiving.cluster.base) / "restored"
        restore_seconds = archiving.tool.restore(to=moment, data_dir=restored)
        replay_started = time.monotonic()
        with started(restored) as port:
            wait_for_promotion(archiving, port)
            replay_seconds = time.monotonic() - replay_started
            back = json.loads(run_step(url.replace(f":{archiving.cluster.port}/", f":{port}/"), "bills"))
        print(f"restore (files): {restore_seconds:.1f} s; start + WAL replay: {replay_seconds:.1f} s")
        print(f"RTO (restore to open for writes): {restore_seconds + replay_seconds:.1f} s")
        print("bills restored:", "exactly those before the moment" if back == before else "MISMATCH")
        if back != before:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
