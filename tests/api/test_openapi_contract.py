"""The served OpenAPI document is the contract.

Its shape: named for people, one schema per enum, every constraint the server enforces said in it,
examples that pass their own schemas. Its truth: schemathesis calls every GET operation of a live
server with generated inputs and runs all of its checks (status codes, content types, response
schemas, valid data accepted, invalid data refused, no 5xx). Examples per operation are bounded so
CI stays fast; tests/reliability/test_fuzz_all_operations.py runs the whole of schemathesis, writes
and stateful sequences included.

The schemathesis hooks below serve both: the CLI there loads this module (``SCHEMATHESIS_HOOKS``).
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any, get_args

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData

from service.app import create_app
from service.http.guard import bad_request_target
from service.http.params import TEXT, WORDS
from service.search.routes import TYPES
from service.search.schemas import SearchType
from service.settings import load_settings
from service.system.openapi import ENUMS, ITEM_SCHEMA, operations

MAX_EXAMPLES = 25


def _get_paths() -> list[str]:
    app = create_app(load_settings({"DATABASE_URL": "postgresql://unused@localhost/unused"}))
    spec = app.openapi_schema.to_schema()
    return sorted(path for path, item in spec["paths"].items() if "get" in item)


GET_PATHS = _get_paths()

# Schemathesis's expected statuses, and the limits the server enforces on a request's size, which
# the document gives as responses but a schema cannot state: a request target over 16 KiB is a 414
# before it is read (a list of long values, valid or not, can pass it), a body over 10 MiB a 413.
# Written as TOML, the same for the CLI run of tests/reliability (`--config-file`); no state kept
# from one run to the next (schemathesis would keep it in .schemathesis/).
CONFIG_TOML = """
[cache]
enabled = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "414", "429", "5xx"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]
"""
CONFIG = SchemathesisConfig.from_str(CONFIG_TOML)


def _forgiven(case: Any) -> set[str]:
    """The parameters whose valid values a 400 may still refuse, by what JSON Schema cannot say.

    A cursor is opaque: any string fits its schema, but only one the server signed for this very
    query is valid. And a bound may not cross the other bound: `to` before `from`, `max_usd` below
    `min_usd` (the parameters' descriptions say so; a schema constrains one parameter at a time).
    """
    query = case.query or {}
    forgiven = {"cursor"} if query.get("cursor") not in (None, "") else set()
    if _crossed(query.get("from"), query.get("to")):
        forgiven.add("to")
    if _crossed(query.get("min_usd"), query.get("max_usd")):
        forgiven.add("max_usd")
    return forgiven


def _crossed(low: Any, high: Any) -> bool:
    try:
        return low is not None and high is not None and low > high
    except TypeError:
        return False


@schemathesis.hook
def filter_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a valid request refused (`positive_data_acceptance`) with a 400 that
    names only the parameters :func:`_forgiven` lists for this very request."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    try:
        named = {error["param"] for error in response.json().get("errors", [])}
    except (ValueError, AttributeError, KeyError, TypeError):
        return True
    return not named or not named <= _forgiven(case)


@schemathesis.deserializer("application/x-ndjson", "text/csv")
def _text(ctx: Any, response: Any) -> str:
    """The exports' bodies are text to their schemas; the lines of JSON are checked one by one below."""
    return str(response.text)


@schemathesis.check
def ndjson_lines_match_the_item_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """Each line of an NDJSON answer is valid against its media type's item schema."""
    if not response.headers.get("content-type", [""])[0].startswith("application/x-ndjson"):
        return None
    definition = case.operation.definition.raw["responses"][str(response.status_code)]
    item = definition["content"]["application/x-ndjson"][ITEM_SCHEMA]
    raw = case.operation.schema.raw_schema
    validator = jsonschema_rs.validator_for({**item, "components": raw["components"]})
    for number, line in enumerate(response.text.splitlines(), 1):
        errors = [error.message for error in validator.iter_errors(json.loads(line))]
        assert not errors, f"line {number} does not match the item schema: {errors[:3]}"
    return None


@pytest.fixture(scope="session")
def api_schema(live_server: str) -> Any:
    return schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json", config=CONFIG)


@pytest.fixture(scope="session")
def document(api_schema: Any) -> dict[str, Any]:
    raw: dict[str, Any] = api_schema.raw_schema
    return raw


def test_the_contract_covers_every_route() -> None:
    assert len(GET_PATHS) >= 25
    for path in ("/api/v1/events", "/api/v1/search", "/api/v1/changes", "/api/v1/export/events.csv", "/metrics"):
        assert path in GET_PATHS


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_get_operation_honours_the_schema(api_schema: Any, path: str) -> None:
    operation = api_schema[path]["GET"]

    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate()

    check()


def test_operation_ids_are_named_for_people(document: dict[str, Any]) -> None:
    """Generated clients name their methods after the operation ids: camelCase verbs, unique."""
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"(list|get|create|delete|export|search)[A-Z]?[A-Za-z]*", i) for i in ids), ids
    assert {"listEvents", "getEvent", "getOrganisationEvents", "createDocument", "getHealth"} <= set(ids)
    links = document["paths"]["/api/v1/documents"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {"getDocument", "deleteDocument"}
    for _, _, operation in operations(document):
        for response in operation["responses"].values():
            assert {link["operationId"] for link in response.get("links", {}).values()} <= set(ids)


def test_schemas_are_named_for_people(document: dict[str, Any]) -> None:
    names = set(document["components"]["schemas"])
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", name) for name in names), sorted(names)
    pages = {"DocumentPage", "OrganisationPage", "PersonPage", "EventPage", "FundingPage", "RivalryPage"}
    assert pages | {"SearchHitPage", "ChangePage"} <= names
    listing = document["paths"]["/api/v1/organisations/{organisation_id}/events"]["get"]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/EventPage"}


def _enums(node: Any, where: str = "") -> list[tuple[str, Any]]:
    """(where, values) of every ``enum`` of ``node`` that is not the named one's values beside a
    reference to it (as parameters list them)."""
    if isinstance(node, list):
        return [found for index, item in enumerate(node) for found in _enums(item, f"{where}/{index}")]
    if not isinstance(node, dict):
        return []
    here = []
    if isinstance(node.get("enum"), list):
        beside = ENUMS.get(str(node.get("$ref", "")).removeprefix("#/components/schemas/"))
        if beside is None or list(beside) != node["enum"]:
            here = [(where, node["enum"])]
    return here + [found for key, value in node.items() for found in _enums(value, f"{where}/{key}")]


def test_each_enum_of_the_contract_is_one_named_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name, values in ENUMS.items():
        assert {"type": "string", "enum": list(values), "title": name}.items() <= schemas[name].items()
    assert schemas["EventSort"]["x-enum-varnames"] == ["OCCURRED_ON", "OCCURRED_ON_DESC", "SOURCE_COUNT_DESC"]
    inline = [(where, values) for where, values in _enums(document) if not where.startswith("/components/schemas/")]
    inline += [(where, values) for where, values in _enums(schemas) if where.split("/")[1] not in ENUMS]
    named = [(where, values) for where, values in inline if tuple(v for v in values if v is not None) in ENUMS.values()]
    assert not named, named
    precision = {"oneOf": [{"$ref": "#/components/schemas/DatePrecision"}, {"type": "null"}]}
    assert schemas["EventRead"]["properties"]["date_precision"] == precision
    assert schemas["FundingRead"]["properties"]["date_precision"] == precision
    kinds = document["paths"]["/api/v1/events"]["get"]["parameters"][0]
    assert kinds["name"] == "type" and kinds["schema"]["items"]["$ref"] == "#/components/schemas/EventType"


def test_writes_need_a_key_and_reads_say_they_need_none(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `rivalry apikey create`.",
    }
    for path, method, operation in operations(document):
        if method in ("post", "delete"):
            assert operation["security"] == [{"bearer": []}], path
            assert "401" in operation["responses"], path
        else:
            assert operation["security"] == [], (path, method)
        assert any(status.startswith("4") for status in operation["responses"]), (path, method)
        assert "414" in operation["responses"], (path, method)


def test_unknown_body_fields_are_refused_in_the_document(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/DocumentCreate"}
    assert document["components"]["schemas"]["DocumentCreate"]["additionalProperties"] is False


def test_the_exports_say_what_they_stream(document: dict[str, Any]) -> None:
    items = {
        "events": "EventRead",
        "funding": "FundingRead",
        "organisations": "OrganisationRead",
        "people": "PersonRead",
    }
    for name, item in items.items():
        ndjson = document["paths"][f"/api/v1/export/{name}.ndjson"]["get"]["responses"]["200"]["content"]
        media = ndjson["application/x-ndjson"]
        assert media["schema"] == {"type": "string", "contentMediaType": "application/x-ndjson"}
        rows, error = media[ITEM_SCHEMA]["oneOf"]
        assert rows == {"$ref": f"#/components/schemas/{item}"}
        assert error["required"] == ["error"] and error["properties"]["error"] == {
            "$ref": "#/components/schemas/Problem"
        }
        csv = document["paths"][f"/api/v1/export/{name}.csv"]["get"]["responses"]["200"]["content"]
        assert csv["text/csv"]["schema"] == {"type": "string"}


def test_every_served_example_passes_its_own_schema(document: dict[str, Any]) -> None:
    checked = 0
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            for media_type, media in response.get("content", {}).items():
                validator = jsonschema_rs.validator_for({**media["schema"], "components": document["components"]})
                for name, example in media.get("examples", {}).items():
                    errors = [error.message for error in validator.iter_errors(example["value"])]
                    assert not errors, (path, method, status, media_type, name, errors[:3])
                    checked += 1
    seeded = document["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
    assert len(seeded["examples"]["seeded"]["value"]["data"]) == 2
    assert checked >= 6 + len(list(operations(document)))  # the six lists' pages and every operation's problems


def test_text_parameters_refuse_what_the_server_refuses(document: dict[str, Any]) -> None:
    """Every string of a path or query refuses the control characters the server refuses, and the
    pattern that says so refuses exactly those (service.http.guard)."""
    for path, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            for text in (parameter["schema"], parameter["schema"].get("items", {})):
                if text.get("type") == "string" and "format" not in text:
                    assert "pattern" in text, (path, parameter["name"])
    events = {
        parameter["name"]: parameter["schema"] for parameter in document["paths"]["/api/v1/events"]["get"]["parameters"]
    }
    assert events["q"]["pattern"] == TEXT and events["organisation"]["items"]["pattern"] == TEXT
    for code in range(0x80):
        query = {"type": "http", "query_string": b"q=%%%02X" % code, "path": "/"}
        assert (bad_request_target(query) is not None) == (re.fullmatch(TEXT, chr(code)) is None), hex(code)
        path = {"type": "http", "query_string": b"", "raw_path": b"/api/v1/organisations/a%%%02Xb" % code}
        assert (bad_request_target(path) is not None) == (re.fullmatch(TEXT, f"a{chr(code)}b") is None), hex(code)


# Pieces a `types` value is made of: kinds, near misses, separators and blanks of every sort.
_TYPES_PIECES = st.sampled_from([*get_args(SearchType), "Documents", "event", ",", ";", " ", "\t", "\xa0", "\u200b"])


@settings(max_examples=300, deadline=None, database=None)
@given(types=st.lists(_TYPES_PIECES, max_size=8).map("".join))
def test_the_types_pattern_is_the_comma_list_search_reads(types: str) -> None:
    """`types`: blanks around kinds and empty items ignored, at least one kind unless it is empty."""
    kinds = [kind.strip() for kind in types.split(",") if kind.strip()]
    readable = types == "" or (bool(kinds) and all(kind in get_args(SearchType) for kind in kinds))
    assert (TYPES.fullmatch(types) is not None) == readable


@settings(max_examples=300, deadline=None, database=None)
@given(q=st.text(alphabet=st.sampled_from(" \t\n\r\x85\xa0\u1680\u2000\u2028\u3000\ufeff\u200bxé")))
def test_the_words_pattern_is_text_that_is_not_only_spaces(q: str) -> None:
    assert (re.fullmatch(WORDS, q) is not None) == bool(q.strip())


def test_the_docs_pages_show_the_served_document(live_server: str, document: dict[str, Any]) -> None:
    for page in ("/schema/swagger", "/schema/redoc"):
        with urllib.request.urlopen(f"{live_server}{page}", timeout=10) as response:
            html = response.read().decode()
        assert '"EventPage"' in html and "Page_service" not in html, page
