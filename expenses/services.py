"""Expenses: money spent on running the plant (power, wages, rent, diesel, …)."""

from __future__ import annotations
