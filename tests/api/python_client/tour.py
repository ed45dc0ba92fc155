"""A tour of the API by a client generated with openapi-python-client, as a Python user would
write it: list organisations, read one and its events, follow a cursor, search, read a problem,
stream an export, then ingest and retract an article with an API key.

Usage: python tour.py <read server> <write server> <API key>, with the generated package
``rivalry_client`` importable; prints what it saw as one JSON line.
"""

from __future__ import annotations

import json
import sys

from rivalry_client import AuthenticatedClient, Client
from rivalry_client.api.documents import create_document, delete_document, get_document
from rivalry_client.api.events import list_events
from rivalry_client.api.export import export_events_ndjson
from rivalry_client.api.organisations import get_organisation, get_organisation_events, list_organisations
from rivalry_client.api.search import search
from rivalry_client.models import (
    DocumentCreate,
    EntitySort,
    EventPage,
    EventRead,
    EventSort,
    IngestResult,
    OrganisationDetail,
    OrganisationPage,
    Problem,
    SearchHitPage,
    SearchHitType,
)


def main(reads: str, writes: str, key: str) -> dict[str, object]:
    api = Client(base_url=reads, raise_on_unexpected_status=True)

    organisations = list_organisations.sync(client=api, sort=EntitySort.MENTION_COUNT_DESC, limit=3)
    assert isinstance(organisations, OrganisationPage), organisations
    first = organisations.data[0]

    organisation = get_organisation.sync(first.id, client=api)
    assert isinstance(organisation, OrganisationDetail) and organisation.id == first.id, organisation

    events = get_organisation_events.sync(first.id, client=api, limit=1, sort=EventSort.SOURCE_COUNT_DESC)
    assert isinstance(events, EventPage) and isinstance(events.meta.next_cursor, str), events
    following = get_organisation_events.sync(
        first.id, client=api, limit=1, sort=EventSort.SOURCE_COUNT_DESC, cursor=events.meta.next_cursor
    )
    assert isinstance(following, EventPage), following
    one, two = events.data[0], following.data[0]
    assert one.id != two.id

    hits = search.sync(client=api, q=first.name, types="organisations")
    assert isinstance(hits, SearchHitPage), hits
    assert any(hit.type_ == SearchHitType.ORGANISATION and hit.id == first.id for hit in hits.data)

    refused = list_events.sync_detailed(client=api, limit=500)
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json"
    problem = refused.parsed
    assert isinstance(problem, Problem) and isinstance(problem.errors, list), problem
    assert problem.errors[0].param == "limit"

    exported = export_events_ndjson.sync(client=api, organisation=[first.id])
    assert isinstance(exported, str), exported
    lines = [EventRead.from_dict(json.loads(line)) for line in exported.splitlines()]
    assert all(any(p.id == first.id for p in event.participants) for event in lines)

    writer = AuthenticatedClient(base_url=writes, token=key, raise_on_unexpected_status=True)
    text = "OpenAI a levé 6,6 milliards de dollars auprès de Microsoft et de Nvidia, a annoncé Sam Altman."
    created = create_document.sync_detailed(client=writer, body=DocumentCreate(text=text, title="Levée de fonds"))
    assert created.status_code == 201 and isinstance(created.parsed, IngestResult), created
    document_id = created.parsed.document.id
    stored = get_document.sync(document_id, client=writer)
    assert stored is not None and not isinstance(stored, Problem) and stored.text == text, stored
    keyless = create_document.sync_detailed(client=Client(base_url=writes), body=DocumentCreate(text=text))
    assert keyless.status_code == 401 and isinstance(keyless.parsed, Problem), keyless
    retracted = delete_document.sync_detailed(document_id, client=writer)
    assert retracted.status_code == 204, retracted

    return {
        "organisation": first.id,
        "events": [one.id, two.id],
        "hits": len(hits.data),
        "problem": problem.type_,
        "exported": len(lines),
        "ingested": document_id,
        "created": created.parsed.created.to_dict(),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
