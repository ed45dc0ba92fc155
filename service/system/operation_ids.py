"""Operation ids named for the people who call them: ``listEvents``, ``getOrganisationEvents``.

Generators name a client's methods after them. Litestar's default joins the path and the handler
(``ApiV1OrganisationsOrganisationIdEventsOrganisationEvents``). Here an id is the handler's name in
camelCase, with ``get`` before a name that does not start with a verb (``organisation_events`` →
``getOrganisationEvents``, ``health`` → ``getHealth``).
"""

from __future__ import annotations

from typing import Any

from litestar.handlers import HTTPRouteHandler

VERBS = frozenset({"list", "get", "create", "delete", "export", "search"})


def readable_operation_id(route_handler: HTTPRouteHandler, http_method: Any, path_components: Any) -> str:
    name: str = route_handler.handler_name
    words = name.strip("_").split("_")
    if words[0] not in VERBS:
        words = ["get", *words]
    return words[0] + "".join(word.capitalize() for word in words[1:])
