"""OpenAPI links: what a client (or a stateful fuzzer) can do with a response's ids.

An ingested document can be read and retracted; its created events can be read.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import Link

_DOCUMENT_ID = "$response.body#/document/id"


def add_links(app: Litestar) -> None:
    paths = app.openapi_schema.paths or {}
    item = paths.get("/api/v1/documents")
    post = item.post if item is not None else None
    if post is None or not post.responses:
        return
    links = {
        "GetDocument": Link(
            operation_id="getDocument",
            parameters={"document_id": _DOCUMENT_ID},
            description="The ingested document, with its text and annotations.",
        ),
        "RetractDocument": Link(
            operation_id="deleteDocument",
            parameters={"document_id": _DOCUMENT_ID},
            description="Retract the document and every fact only it supported.",
        ),
    }
    for status in ("200", "201"):
        response = post.responses.get(status)
        if response is not None and hasattr(response, "links"):
            response.links = dict(links)
