"""HTTP routes of the document resource."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.documents import queries
from service.documents.ingest import ingest, retract
from service.documents.schemas import DocumentCreate, DocumentDetail, DocumentRead, DocumentSort, IngestResult
from service.http.auth import require_api_key
from service.http.pagination import Count, Cursor, Limit, Page, paginate
from service.http.problems import InvalidParameters, NotFound, ParamError, invalid, problem_responses

_TOP_LEVEL = msgspec.json.Decoder(dict[str, msgspec.Raw])
DocumentId = Annotated[str, PathParameter(description="Document id.", min_length=1, max_length=200)]
# DocumentCreate refuses fields it does not know (a 400 naming them); Litestar's schema of a struct
# does not say so by itself.
NewDocument = Annotated[
    DocumentCreate, Body(media_type=RequestEncodingType.JSON, schema_extra={"additional_properties": False})
]


async def decodable_body(request: Request[Any, Any, Any]) -> None:
    """Make the bodies Litestar's JSON decoding fails on into 400s naming the field, or ``body``.

    Litestar decodes a body untyped, recursively, before checking it against its type, and maps
    only msgspec's ``DecodeError`` to a 400 (one without ``errors``): a value nested deeper than
    the recursion limit raised ``RecursionError``, and invalid UTF-8 inside a string
    ``UnicodeDecodeError``, both 500s; an empty body was a 400 saying only ``'data'``. The body
    decoded here is kept on the request, so reading ``data`` does not decode it again.
    """
    if not (await request.body()).strip():
        raise InvalidParameters(
            [ParamError(param="body", message="is empty: send a JSON object with at least `text`")],
            detail="the request body is empty: send a JSON object with at least `text`",
        )
    try:
        await request.json()
    except SerializationException as exc:
        field = _surrogate_field(await request.body())
        if field is not None:
            raise invalid(field, "is not valid Unicode: it holds a lone UTF-16 surrogate escape") from None
        reason = str(exc.detail).removeprefix("JSON is malformed: ")
        raise invalid("body", f"is not valid JSON: {reason}") from None
    except RecursionError:
        try:
            # Decoded against the schema, the nested value fails at its field, without recursing.
            msgspec.json.decode(await request.body(), type=DocumentCreate)
        except msgspec.ValidationError as exc:
            raise ValidationException(str(exc), extra=[{"key": "data", "message": str(exc)}]) from None
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass
        raise invalid("body", "is nested too deeply") from None
    except UnicodeDecodeError:
        raise invalid(_undecodable_field(await request.body()), "must be valid UTF-8") from None


def _undecodable_field(body: bytes) -> str:
    """The top-level field whose value holds invalid UTF-8; ``body`` when a key does, or when the
    body is not an object."""
    try:
        fields = _TOP_LEVEL.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return "body"
    for name, raw in fields.items():
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return name
    return "body"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_field(body: bytes) -> str | None:
    """The top-level field whose value holds a lone surrogate (``"\\ud800"``): valid JSON syntax
    that msgspec refuses, since it decodes to no Unicode character, and reports only by byte
    offset. Python's ``json`` decodes it into a string that holds the surrogate, where it can be found."""
    try:
        fields = json.loads(body)
        if not isinstance(fields, dict):
            return None
        for name, value in fields.items():
            if _SURROGATE.search(name):
                return "body"
            if _SURROGATE.search(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)):
                return str(name)
    except (ValueError, RecursionError):  # not JSON to Python either: not a surrogate's doing
        pass
    return None


class DocumentController(Controller):
    path = "/api/v1/documents"
    tags = ["documents"]

    @get(
        "/",
        summary="List source documents",
        description="Articles the facts were extracted from, newest first by default. Keyset-paginated.",
        responses=problem_responses(400, 503),
    )
    async def list_documents(
        self,
        db_session: NamedDependency[AsyncSession],
        publisher: Annotated[str | None, QueryParameter(description="Exact publisher name, case-insensitive.")] = None,
        language: Annotated[str | None, QueryParameter(description="ISO 639-1 language code.", max_length=8)] = None,
        q: Annotated[
            str | None, QueryParameter(description="French full-text search over title and text.", max_length=500)
        ] = None,
        sort: Annotated[DocumentSort, QueryParameter(description="Sort field; `-` for descending.")] = "-ingested_at",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[DocumentRead]:
        filters = queries.DocumentFilters(publisher=publisher, language=language, q=q)
        return await paginate(
            lambda after: queries.list_documents(db_session, filters, sort, limit, after),
            route="documents",
            params={"publisher": publisher, "language": language, "q": q, "sort": sort},
            keys=queries.SORT_KEYS[sort],
            limit=limit,
            cursor=cursor,
            count=(lambda: queries.count_documents(db_session, filters)) if count else None,
        )

    @get(
        "/{document_id:str}",
        summary="Get a document with its text",
        description="The verbatim article text, with the spans that name entities (`annotations`).",
        responses=problem_responses(404, 503),
    )
    async def get_document(
        self,
        db_session: NamedDependency[AsyncSession],
        document_id: DocumentId,
    ) -> DocumentDetail:
        document = await queries.get_document(db_session, document_id)
        if document is None:
            raise NotFound(f"No document with id {document_id!r}.")
        return document

    @post(
        "/",
        summary="Ingest an article",
        description=(
            "Runs the ingestion pipeline on one article (API key required). 201 with the document and the "
            "facts it created or corroborated; the same text again answers 200 with the existing document. "
            "A `text` with nothing visible in it (whitespace, zero-width or other invisible characters only), "
            "invalid UTF-8 or values nested too deeply answer 400 naming the field."
        ),
        guards=[require_api_key],
        before_request=decodable_body,
        status_code=201,
        response_headers=[
            ResponseHeader(
                name="Location",
                value="/api/v1/documents/{document_id}",
                description="The new document's URL.",
                required=True,
                documentation_only=True,
            )
        ],
        responses={
            200: ResponseSpec(data_container=IngestResult, description="This text was already ingested."),
            **problem_responses(400, 401, 413, 429, 503),
        },
        security=[{"bearer": []}],
    )
    async def create_document(
        self, db_session: NamedDependency[AsyncSession], state: State, data: NewDocument
    ) -> Response[IngestResult]:
        status, result = await ingest(db_session, data, state.ingest_lock)
        location = {"Location": f"/api/v1/documents/{result.document.id}"} if status == 201 else None
        return Response(result, status_code=status, headers=location)

    @delete(
        "/{document_id:str}",
        summary="Retract an article",
        description=(
            "Deletes the document (API key required): facts cited only by it disappear, facts with other "
            "sources lose its citations; tombstones appear in /api/v1/changes. One transaction."
        ),
        guards=[require_api_key],
        status_code=204,
        responses=problem_responses(401, 404, 429, 503),
        security=[{"bearer": []}],
    )
    async def delete_document(
        self,
        db_session: NamedDependency[AsyncSession],
        document_id: DocumentId,
    ) -> None:
        await retract(db_session, document_id)
