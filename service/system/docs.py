"""The interactive API docs, served by the application itself so that they load without internet.

Swagger UI at ``/schema`` (and ``/schema/swagger``), Redoc at ``/schema/redoc`` as the fallback, both
rendering the served OpenAPI document. Their scripts and styles come from the ``openapi-ui-bundles``
package (pinned by uv.lock, no dependencies of its own) and are served under
``/schema/assets/<package version>/``. Litestar's plugins would otherwise load them from a CDN, at
``@latest`` for Scalar and Redoc: with no internet the page stayed white. ``swagger-ui-bundle``,
the better-known package, ships Swagger UI 4, which cannot render an OpenAPI 3.1 document.
"""

from __future__ import annotations

import mimetypes
from importlib.metadata import version
from pathlib import PurePath
from typing import Any

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router
from openapi_ui_bundles import redoc, swagger_ui

from service.system.openapi import OpenAPIJson, RedocPage, SwaggerPage

DOCS_PATH = "/schema"
# The package's version is part of the assets' URLs: an upgrade changes them, so a browser may keep
# what it fetched for a year without asking again.
_ASSETS = f"/assets/{version('openapi-ui-bundles')}"
_SWAGGER_UI = f"{_ASSETS}/swagger-ui"
_REDOC = f"{_ASSETS}/redoc"
_SERVED = "docs_files"  # the opt key of the files a static router may serve
_FAVICON = "favicon-32x32.png"
_A_YEAR = 365 * 24 * 3600
# Only this server: Redoc would otherwise fetch its vendor's logo from a CDN, and nothing a docs page
# does needs another host. Inline scripts and styles are how Litestar's pages hand the renderer the
# document and how both renderers style themselves; Redoc's search runs in a blob: worker.
_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:"
)

# Python 3.11 names .js files application/javascript unless the system's mime.types says otherwise
# (a slim image has none); text/javascript is the one type since RFC 9239, and the one the edge
# compresses (service.http.caching).
mimetypes.add_type("text/javascript", ".js")


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI first, so it answers ``/schema`` itself; Redoc at ``/schema/redoc``; the document
    at ``/schema/openapi.json``. All three serve the finished document (service.system.openapi)."""
    swagger_ui_url = DOCS_PATH + _SWAGGER_UI
    # Litestar's default favicon is also on a CDN.
    favicon = f"<link rel='icon' type='image/png' href='{swagger_ui_url}/{_FAVICON}'>"
    return [
        SwaggerPage(
            path=["/", "/swagger"],
            js_url=f"{swagger_ui_url}/swagger-ui-bundle.js",
            css_url=f"{swagger_ui_url}/swagger-ui.css",
            standalone_preset_js_url=f"{swagger_ui_url}/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        RedocPage(
            path="/redoc",
            js_url=f"{DOCS_PATH}{_REDOC}/redoc.standalone.js",
            google_fonts=False,
            favicon=favicon,
        ),
        OpenAPIJson(),
    ]


def docs_router() -> Router:
    """The router the OpenAPI plugins add their pages to (``OpenAPIConfig.openapi_router``), holding
    the assets those pages load. A new one per app: registering routes changes a router."""
    cache = CacheControlHeader(public=True, max_age=_A_YEAR, immutable=True)
    return Router(
        DOCS_PATH,
        route_handlers=[
            create_static_files_router(
                path=_SWAGGER_UI,
                directories=[swagger_ui.static_path],
                name="docs-swagger-ui",
                cache_control=cache,
                guards=[_only_served_files],
                opt={_SERVED: {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", _FAVICON}},
            ),
            create_static_files_router(
                path=_REDOC,
                directories=[redoc.static_path],
                name="docs-redoc",
                cache_control=cache,
                guards=[_only_served_files],
                opt={_SERVED: {"redoc.standalone.js"}},
            ),
        ],
        include_in_schema=False,
        response_headers=[ResponseHeader(name="Content-Security-Policy", value=_CONTENT_SECURITY_POLICY)],
    )


def _only_served_files(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Only the files the pages load: the package also ships its demo pages (an index.html showing
    the Petstore example, among others), which are not ours to serve."""
    if PurePath(connection.path_params["file_path"]).name not in handler.opt[_SERVED]:
        raise NotFoundException()
