"""OpenAPI links: what a client (or a stateful fuzzer) can do next with the ids of a response.

An item of a list can be read, with what hangs from it; an ingested document can be read and
retracted.
"""

from __future__ import annotations

from typing import Any

_FIRST = "$response.body#/data/0/id"
_DOCUMENT = "$response.body#/document/id"

# (path, method, status) → {link name: (operationId, parameter, value, what it gives)}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, str, str]]] = {
    ("/api/v1/documents", "get", "200"): {
        "GetDocument": ("getDocument", "document_id", _FIRST, "The first document, with its text."),
    },
    ("/api/v1/organisations", "get", "200"): {
        "GetOrganisation": ("getOrganisation", "organisation_id", _FIRST, "The first organisation in full."),
        "GetOrganisationEvents": ("getOrganisationEvents", "organisation_id", _FIRST, "Its events."),
        "GetOrganisationFunding": ("getOrganisationFunding", "organisation_id", _FIRST, "Its money facts."),
        "GetOrganisationRivals": ("getOrganisationRivals", "organisation_id", _FIRST, "Its rivalries."),
    },
    ("/api/v1/people", "get", "200"): {
        "GetPerson": ("getPerson", "person_id", _FIRST, "The first person in full."),
        "GetPersonEvents": ("getPersonEvents", "person_id", _FIRST, "Their events."),
    },
    ("/api/v1/events", "get", "200"): {
        "GetEvent": ("getEvent", "event_id", _FIRST, "The first event, with all its citations."),
    },
    ("/api/v1/funding", "get", "200"): {
        "GetFunding": ("getFunding", "funding_id", _FIRST, "The first money fact, with all its citations."),
    },
    ("/api/v1/rivalries", "get", "200"): {
        "GetRivalry": ("getRivalry", "rivalry_id", _FIRST, "The first rivalry in full."),
        "GetRivalryTimeline": ("getRivalryTimeline", "rivalry_id", _FIRST, "Its events, oldest first."),
    },
    ("/api/v1/documents", "post", "201"): {
        "GetDocument": ("getDocument", "document_id", _DOCUMENT, "The ingested document, with its text."),
        "RetractDocument": ("deleteDocument", "document_id", _DOCUMENT, "Retract it and the facts only it supported."),
    },
    ("/api/v1/documents", "post", "200"): {
        "GetDocument": ("getDocument", "document_id", _DOCUMENT, "The document, with its text."),
        "RetractDocument": ("deleteDocument", "document_id", _DOCUMENT, "Retract it and the facts only it supported."),
    },
}


def add_links(document: dict[str, Any]) -> None:
    paths = document.get("paths", {})
    for (path, method, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response["links"] = {
                name: {"operationId": operation, "parameters": {parameter: value}, "description": description}
                for name, (operation, parameter, value, description) in links.items()
            }
