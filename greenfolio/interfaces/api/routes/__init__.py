"""Routers of the REST API, one per kind of record."""
