"""The inventory part of the REST API: items, stock, stock counts and closed periods."""
