"""The web client at `/`: the Vite build of `web/` (or ASTRATRADE_WEB_DIR), else a short
page saying how to build it, so the API runs without Node.

Files are served by explicit routes (`/`, each top-level file, `/assets/...`) rather than a
catch-all mount at `/`, so /api, /metrics, /healthz, /readyz, /docs and /openapi.json stay
reachable whatever order they were registered in."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

REPO_BUILD = Path(__file__).resolve().parents[3] / "web" / "dist"
# index.html and sw.js must be revalidated: they name the current build's hashed assets.
REVALIDATE = {"cache-control": "no-cache"}
IMMUTABLE = "public, max-age=31536000, immutable"
# Types the platform's mimetypes table may not know (a manifest must not pass as text/plain).
MEDIA_TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>AstraTrade</title>
</head><body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto;
padding: 0 1rem; line-height: 1.5">
<h1>AstraTrade</h1>
<p>The platform is running: its API is at <a href="/docs">/docs</a>.</p>
<p>The web client has not been built. It needs Node.js 20 or newer: run
<code>make web</code> (or <code>make run</code>, which builds it) and reload this page.</p>
</body></html>"""


class ImmutableAssets(StaticFiles):
    """Vite's hashed assets: their names change with their content, so cache them for good."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = IMMUTABLE
        return response


def mount_web_client(app: FastAPI, configured: Path | None) -> None:
    """Serve the built client at `/` (from `configured`, else the checkout's web/dist), or
    the how-to-build page when there is no build."""
    root = configured or REPO_BUILD
    index = root / "index.html"
    if not index.is_file():

        async def not_built() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT, headers=REVALIDATE)

        app.add_api_route("/", not_built, methods=["GET"], include_in_schema=False)
        return

    async def page() -> FileResponse:
        return FileResponse(index, headers=REVALIDATE)

    app.add_api_route("/", page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/index.html", page, methods=["GET"], include_in_schema=False)
    for file in sorted(root.iterdir()):
        if file.is_file() and file.name != "index.html" and not file.name.startswith("."):
            app.add_api_route(
                f"/{file.name}", _file(file), methods=["GET"], include_in_schema=False
            )
    if (root / "assets").is_dir():
        app.mount("/assets", ImmutableAssets(directory=root / "assets"), name="web-assets")


def _file(path: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def serve() -> FileResponse:
        return FileResponse(path, headers=REVALIDATE, media_type=MEDIA_TYPES.get(path.suffix))

    return serve
