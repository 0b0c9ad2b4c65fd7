"""The accounts part of the REST API: tokens, logout, /me, and idempotent creation."""
