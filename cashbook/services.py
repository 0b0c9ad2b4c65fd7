"""The cash book's write side: accounts kept by Managers, and the day-end closing."""

from __future__ import annotations
