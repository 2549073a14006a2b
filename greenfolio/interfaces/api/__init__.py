"""The ASGI application: the REST API under /api/v1 and the web pages, on one server."""
