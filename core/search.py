"""How much one search may ask for, the same for the API's ?search=, the pages' and the admin's ?q=.

Each word of a search becomes its own OR of LIKE conditions over several columns, all ANDed: a
thousand words made SQLite refuse the query (expression tree too deep: a 500) and kept PostgreSQL
busy for seconds. Nobody searches with more than a few words.
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.text import smart_split

MAX_TERMS = 10
MAX_LENGTH = 80
MESSAGE = f"Search for at most {MAX_TERMS} words and {MAX_LENGTH} characters."


def within_limits(text: str) -> bool:
    """True when a search is short enough to run (commas separate words too, as in the API)."""
    if len(text) > MAX_LENGTH:
        return False
    return sum(1 for _ in smart_split(text.replace(",", " "))) <= MAX_TERMS


class LimitedSearchAdmin:
    """For a ModelAdmin: a changelist search past the limits lists nothing and says why."""

    def get_search_results(self, request, queryset, search_term):
        if not within_limits(search_term):
            self.message_user(request, MESSAGE, level=messages.ERROR)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
