"""The OpenAPI document the API serves: Litestar's, finished here for the people and the client
generators that read it.

Litestar writes the document from the routes and their msgspec types. What it cannot say from
them is said here, in one pass over the whole document, so that no route has to remember it:

- a list's envelope is named for people (``EventPage``), not after its Python generic
  (``Page_service.events.schemas.EventRead_``);
- each enum of the contract is one named schema, referenced wherever it appears, a nullable one
  as ``oneOf: [enum, null]``: generators otherwise make an enum per field and per parameter, and
  three of a nullable one (a parameter lists the values beside the reference too);
- a text parameter a client leaves out is absent, never null: its null alternative goes;
- every string of a path or query refuses the control characters the server refuses
  (:mod:`service.http.guard`), unless its own pattern says more;
- a stream of JSON lines gives the schema of its lines as OpenAPI 3.2's ``itemSchema`` does, in
  the extension registered for 3.1 (``x-oai-itemSchema``), and its body is text to generators;
- reads say they need no key (``security: []``), as writes say which one they need;
- the list examples are a page of what this server holds (:mod:`service.system.examples`), and
  what a client can do next with a response is a link (:mod:`service.system.links`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, get_args

from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin

from service.changes.routes import ChangeKind
from service.documents.schemas import DocumentSort
from service.events.schemas import DatePrecision, EventSort, EventStatus, EventType, ParticipantRole
from service.facts import EntityKind
from service.funding.schemas import FundingKind, FundingSort, Qualifier
from service.http.params import TEXT
from service.organisations.schemas import EntitySort, OrganisationKind
from service.rivalries.schemas import RivalrySort
from service.search.schemas import HitType
from service.system.examples import EXAMPLES_STATE, add_examples
from service.system.links import add_links

Document = dict[str, Any]
SCHEMAS = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SEQUENCES = ("application/x-ndjson",)
# OpenAPI 3.2's `itemSchema`, as the OpenAPI Initiative's extension registry names it for 3.1.
ITEM_SCHEMA = "x-oai-itemSchema"
_SERVED_STATE = "openapi_document"

# The contract's enums by the name they take in the document. Values identify them: an inline enum
# with exactly these values, in this order, becomes a reference to the named one.
ENUMS: dict[str, tuple[str, ...]] = {
    name: get_args(literal)
    for name, literal in {
        "EventType": EventType,
        "EventStatus": EventStatus,
        "DatePrecision": DatePrecision,
        "ParticipantRole": ParticipantRole,
        "EntityKind": EntityKind,
        "OrganisationKind": OrganisationKind,
        "FundingKind": FundingKind,
        "Qualifier": Qualifier,
        "ChangeKind": ChangeKind,
        "SearchHitType": HitType,
        "DocumentSort": DocumentSort,
        "EntitySort": EntitySort,
        "EventSort": EventSort,
        "FundingSort": FundingSort,
        "RivalrySort": RivalrySort,
    }.items()
}
_GENERIC_PAGE = re.compile(r"Page_(?:\w+\.)*(\w+)_")


def finish(source: Mapping[str, Any], examples: Mapping[str, Any] | None = None) -> Document:
    """The served document: ``source`` (Litestar's, left as it is) finished as the module says."""
    document: Document = copy.deepcopy(dict(source))
    _name_pages(document)
    _plain_parameters(document)
    _name_enums(document)
    _refuse_control_characters(document)
    _describe_sequences(document)
    _public_reads(document)
    add_examples(document, examples or {})
    add_links(document)
    schemas = document["components"]["schemas"]
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def served_document(app: Litestar, source: Mapping[str, Any]) -> Document:
    """The finished document of ``app``, made once, on the first request that reads it (after the
    start-up has found the examples)."""
    document: Document | None = app.state.get(_SERVED_STATE)
    if document is None:
        document = app.state[_SERVED_STATE] = finish(source, app.state.get(EXAMPLES_STATE))
    return document


class _Finished:
    """A render plugin that renders the finished document (:func:`served_document`)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        rendered: bytes = super().render(request, served_document(request.app, openapi_schema))  # type: ignore[misc]
        return rendered


class OpenAPIJson(_Finished, JsonRenderPlugin):
    """``/schema/openapi.json``."""


# What JSON may hold and an inline <script> may not: "</script>" in a served example (an article's
# title, say) would end the script and run what follows it. Escaped, the JSON means the same.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class _Inline:
    """A page that embeds the document in an inline script."""

    @staticmethod
    def render_json(request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        rendered = JsonRenderPlugin.render_json(request, openapi_schema)
        return rendered.decode().translate(_SCRIPT_SAFE).encode()


class SwaggerPage(_Inline, _Finished, SwaggerRenderPlugin):
    """Swagger UI, which embeds the document in its page."""


class RedocPage(_Inline, _Finished, RedocRenderPlugin):
    """Redoc, which embeds the document in its page."""


def operations(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation of ``document``."""
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def _walk_schemas(node: Any, change: Callable[[dict[str, Any]], dict[str, Any] | None], *, names: bool = False) -> Any:
    """``node`` with every object that ``change`` replaces replaced, from the top down (a
    replacement is not walked again). Examples are data, not schemas: they are left alone (but a
    property may be called ``examples``: ``names`` says the keys of ``node`` are names)."""
    if isinstance(node, list):
        return [_walk_schemas(item, change) for item in node]
    if not isinstance(node, dict):
        return node
    replaced = None if names else change(node)
    if replaced is not None:
        return replaced
    return {
        key: value
        if key in ("example", "examples") and not names
        else _walk_schemas(value, change, names=key in ("properties", "schemas", "paths", "responses"))
        for key, value in node.items()
    }


def _rename_references(document: Document, renamed: Mapping[str, str]) -> None:
    def rename(node: dict[str, Any]) -> dict[str, Any] | None:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renamed:
            return {**node, "$ref": renamed[ref]}
        return None

    document.update(_walk_schemas(document, rename))


def _name_pages(document: Document) -> None:
    """``Page_service.events.schemas.EventRead_`` → ``EventPage``, ``…SearchHit_`` → ``SearchHitPage``."""
    schemas = document["components"]["schemas"]
    renamed: dict[str, str] = {}
    for key in list(schemas):
        match = _GENERIC_PAGE.fullmatch(key)
        if match is None:
            continue
        item = match.group(1)
        name = item.removesuffix("Read") + "Page"
        if name in schemas:
            raise ValueError(f"two schemas would be named {name}")
        schema = schemas.pop(key)
        schemas[name] = {
            **schema,
            "title": name,
            "description": f"One page of `{item}` and, in `meta`, the cursor to the next one.",
        }
        renamed[SCHEMAS + key] = SCHEMAS + name
    _rename_references(document, renamed)


def _plain_parameters(document: Document) -> None:
    """A parameter whose values are text (a string, a list of them, an enum) has no null
    alternative: a client leaves it out, and `null` in a query is the text `null` (or not one of
    the enum's values). A date or a number keeps it: the server reads `?to=null` as no bound."""
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema")
            if isinstance(schema, dict):
                parameter["schema"] = _text_not_null(schema)


def _text_not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its null alternative when the other one is text; the constraints Litestar
    puts beside the alternatives (``maxItems``, ``maxLength``…) join the one that remains."""
    alternatives = schema.get("oneOf")
    if not isinstance(alternatives, list):
        return schema
    kept = [alternative for alternative in alternatives if alternative != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(alternatives):
        return schema
    other = kept[0]
    text = (
        other.get("type") == "array" or (other.get("type") == "string" and "format" not in other) or ("enum" in other)
    )
    if not text:
        return schema
    beside = {key: value for key, value in schema.items() if key != "oneOf"}
    return {**other, **beside}


def _name_enums(document: Document) -> None:
    by_values = {values: name for name, values in ENUMS.items()}
    if len(by_values) != len(ENUMS):
        raise ValueError("two enums of the document have the same values")
    used: set[str] = set()

    def named(node: dict[str, Any]) -> dict[str, Any] | None:
        # Litestar writes a one-value Literal as a `const`.
        values = [node["const"]] if isinstance(node.get("const"), str) else node.get("enum")
        if not isinstance(values, list):
            return None
        name = by_values.get(tuple(value for value in values if value is not None))
        if name is None:
            return None
        used.add(name)
        kind = node.get("type")
        nullable = None in values or (isinstance(kind, list) and "null" in kind)
        beside = {key: value for key, value in node.items() if key not in ("type", "enum", "const")}
        reference = {"$ref": SCHEMAS + name}
        return {"oneOf": [reference, {"type": "null"}], **beside} if nullable else {**reference, **beside}

    document.update(_walk_schemas(document, named))

    def listed(node: dict[str, Any]) -> dict[str, Any] | None:
        ref = node.get("$ref")
        name = ref.removeprefix(SCHEMAS) if isinstance(ref, str) else None
        return {**node, "enum": list(ENUMS[name])} if name in ENUMS else None

    # A parameter also lists its values beside the reference, for whoever reads one operation
    # without resolving references (a form on a docs page, a test); generators follow the reference.
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if "schema" in parameter:
                parameter["schema"] = _walk_schemas(parameter["schema"], listed)
    schemas = document["components"]["schemas"]
    for name in used:
        values = ENUMS[name]
        schemas[name] = {"type": "string", "enum": list(values), "title": name}
        if any(value.startswith("-") for value in values):
            # A descending sort is `-field`: generators would call it VALUE_1; this names it FIELD_DESC.
            schemas[name]["x-enum-varnames"] = [
                value.removeprefix("-").upper() + ("_DESC" if value.startswith("-") else "") for value in values
            ]


def _refuse_control_characters(document: Document) -> None:
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") in ("path", "query") and isinstance(parameter.get("schema"), dict):
                _text_of_request_target(parameter["schema"])


def _text_of_request_target(schema: dict[str, Any]) -> None:
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _text_of_request_target(schema["items"])
    elif schema.get("type") == "string" and not {"format", "enum", "const", "pattern"} & schema.keys():
        schema["pattern"] = TEXT


def _describe_sequences(document: Document) -> None:
    """A JSON-lines body declared as an array of items (Litestar's ``list[Item]``) is described as
    OpenAPI 3.2 describes a sequence: ``itemSchema`` (``x-oai-itemSchema`` in 3.1) is the schema of
    each line. Its ``schema`` says text: the whole body is no JSON value, and generators that do not
    know the media type read a string body as text."""
    for _, _, operation in operations(document):
        for response in operation.get("responses", {}).values():
            for media_type, media in response.get("content", {}).items():
                schema = media.get("schema", {})
                if media_type in SEQUENCES and schema.get("type") == "array":
                    media["schema"] = {"type": "string", "contentMediaType": media_type}
                    media[ITEM_SCHEMA] = schema["items"]
    _inline_item_only_schemas(document)


def _inline_item_only_schemas(document: Document) -> None:
    """A component that only item schemas use (``ExportError``) is written out in them instead:
    linters do not read extensions, and would call it unused."""
    items = [
        media
        for _, _, operation in operations(document)
        for response in operation.get("responses", {}).values()
        for media in response.get("content", {}).values()
        if ITEM_SCHEMA in media
    ]
    only_there = _references(items) - _references(document, skip=ITEM_SCHEMA)
    schemas = document["components"]["schemas"]
    inlined = {ref: schemas.pop(ref.removeprefix(SCHEMAS)) for ref in only_there}

    def inline(node: dict[str, Any]) -> dict[str, Any] | None:
        ref = node.get("$ref")
        return inlined[ref] if isinstance(ref, str) and ref in inlined else None

    for media in items:
        media[ITEM_SCHEMA] = _walk_schemas(media[ITEM_SCHEMA], inline)


def _references(node: Any, skip: str = "") -> set[str]:
    """Every ``$ref`` inside ``node``, except under the key ``skip``."""
    if isinstance(node, list):
        return set().union(*(_references(item, skip) for item in node))
    if not isinstance(node, dict):
        return set()
    found = {ref} if isinstance(ref := node.get("$ref"), str) else set()
    return found.union(*(_references(value, skip) for key, value in node.items() if key != skip))


def _public_reads(document: Document) -> None:
    """An operation that declares no security requirement needs none: ``security: []`` says so,
    and lets a linter tell it from a write that forgot its own."""
    for _, _, operation in operations(document):
        operation.setdefault("security", [])
