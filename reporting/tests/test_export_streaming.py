"""CSV exports leave the worker as they are read: rows are pulled a chunk at a time, never all first."""

from __future__ import annotations

import csv
import io

from reporting import exports


def test_csv_rows_are_pulled_one_chunk_ahead_of_what_was_sent():
    pulled = 0

    def rows():
        nonlocal pulled
        for n in range(2500):
            pulled += 1
            yield [n, f"=name {n}", None]

    chunks = exports.csv_lines(rows(), batch=1000)
    first = next(chunks)
    assert pulled == 1000  # the first chunk left before the rest was read
    rest = list(chunks)
    assert pulled == 2500 and len(rest) == 2
    parsed = list(csv.reader(io.StringIO(first + "".join(rest))))
    assert len(parsed) == 2500
    assert parsed[1] == ["1", "'=name 1", ""]  # still escaped as the formula guard says
