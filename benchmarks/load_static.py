"""The framework baseline of benchmarks/api_load.py: a minimal Starlette app under uvicorn
with the options ``greenfolio serve`` uses, answering ``GET /<n>`` with a precomputed
HTML body of n bytes. It does the least any page could: no database, no templates.

Run by the benchmark as ``python benchmarks/load_static.py PORT WORKERS``.
"""

from __future__ import annotations

import sys

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_bodies: dict[int, bytes] = {}


async def sized(request: Request) -> Response:
    size = min(int(request.path_params["size"]), 50_000_000)
    body = _bodies.get(size)
    if body is None:
        body = _bodies[size] = b"x" * size
    return Response(body, media_type="text/html; charset=utf-8")


app = Starlette(routes=[Route("/{size:int}", sized)])


def main() -> None:
    import uvicorn

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    options = {"host": "127.0.0.1", "port": port, "proxy_headers": True, "log_level": "warning"}
    if workers > 1:
        folder = __file__.rsplit("/", 1)[0]
        uvicorn.run("load_static:app", workers=workers, app_dir=folder, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(app, **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
