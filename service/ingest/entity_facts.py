"""What a document says of each entity: one fact per organisation or person it names, with the
curated record where the gazetteer has one, its surface forms as aliases, and every mention
cited; plus the kinds of its organisations and who leads which (stage "entities", after the
mentions are found)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from service.ingest import entities, syntax
from service.ingest.arguments import SentenceView, denotes
from service.ingest.coref import Resolution
from service.ingest.facts import EntityFact, RoleFact, Span
from service.ingest.parse import ParsedSentence
from service.ingest.types import EntityKind, EntityMention

EXTRACTORS = {"gazetteer": "gazetteer@1", "ner": "ner@1"}
LEADER_TITLES = ("pdg", "ceo", "directeur général", "directrice générale", "président-directeur général")
# Titles that, set next to a person in the text, make them the one who runs an organisation
# ("X, le patron de Y", "le PDG de Y, X").
TEXT_TITLES = frozenset(
    {
        "patron",
        "patronne",
        "pdg",
        "ceo",
        "président",
        "présidente",
        "dirigeant",
        "dirigeante",
        "directeur",
        "directrice",
    }
)


def _organisation(gazetteer: entities.Gazetteer, slug: str) -> entities.Organisation | None:
    record = gazetteer.get(slug)
    return record if isinstance(record, entities.Organisation) else None


def _person(gazetteer: entities.Gazetteer, slug: str) -> entities.Person | None:
    record = gazetteer.get(slug)
    return record if isinstance(record, entities.Person) else None


def _name_like(surface: str) -> bool:
    """A surface form worth keeping as an alias: a name ("OpenAI", "xAI"), not a description
    ("groupe de Redmond") — descriptions start with a lower-case word."""
    first = surface.split()[0] if surface.split() else ""
    return any(ch.isupper() or ch.isdigit() for ch in first)


def org_kinds(
    mentions: Sequence[EntityMention], gazetteer: entities.Gazetteer, new: Mapping[str, entities.NewEntity]
) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for m in mentions:
        if m.kind != "organisation":
            continue
        record = _organisation(gazetteer, m.slug)
        kinds[m.slug] = record.kind if record else (new[m.slug].org_kind if m.slug in new else None) or "other"
    return kinds


def entity_facts(
    mentions: Sequence[EntityMention],
    gazetteer: entities.Gazetteer,
    new: Mapping[str, entities.NewEntity],
    stated: Sequence[tuple[str, str, str]] = (),
) -> list[EntityFact]:
    """One fact per entity named; ``stated``: (person, organisation, title) roles the text gives."""
    grouped: dict[tuple[EntityKind, str], list[EntityMention]] = defaultdict(list)
    for m in mentions:
        grouped[(m.kind, m.slug)].append(m)
    facts: list[EntityFact] = []
    # Organisations first: people's roles point at them.
    for (kind, slug), group in sorted(grouped.items(), key=lambda item: (item[0][0] != "organisation", item[0][1])):
        spans = [Span(m.start, m.end, EXTRACTORS[m.source], m.confidence) for m in group]
        said = [RoleFact(organisation=org, title=title) for person, org, title in stated if person == slug]
        surface = sorted({m.text for m in group if m.text and _name_like(m.text)})
        if kind == "organisation":
            org = _organisation(gazetteer, slug)
            if org is not None:
                facts.append(
                    EntityFact(
                        kind=kind,
                        slug=slug,
                        name=org.name,
                        aliases=sorted(set(org.aliases) | set(surface) - {org.name}),
                        org_kind=org.kind,
                        country=org.country,
                        description=org.description,
                        in_gazetteer=True,
                        roles=[],
                        spans=spans,
                    )
                )
                continue
        else:
            person = _person(gazetteer, slug)
            if person is not None:
                facts.append(
                    EntityFact(
                        kind=kind,
                        slug=slug,
                        name=person.name,
                        aliases=sorted(set(person.aliases) | set(surface) - {person.name}),
                        org_kind=None,
                        country=None,
                        description=None,
                        in_gazetteer=True,
                        roles=_with([RoleFact(organisation=r.organisation, title=r.title) for r in person.roles], said),
                        spans=spans,
                    )
                )
                continue
        found = new.get(slug)
        name = found.name if found else max(surface or [group[0].name], key=len)
        facts.append(
            EntityFact(
                kind=kind,
                slug=slug,
                name=name,
                aliases=[s for s in surface if s != name],
                org_kind=(found.org_kind if found else None) or ("other" if kind == "organisation" else None),
                country=None,
                description=None,
                in_gazetteer=False,
                roles=_with([], said),
                spans=spans,
            )
        )
    return facts


def _with(known: list[RoleFact], said: Sequence[RoleFact]) -> list[RoleFact]:
    """The gazetteer's roles, and those the text adds at organisations the gazetteer gives none."""
    held = {r.organisation for r in known}
    for role in said:
        if role.organisation not in held:
            known.append(role)
            held.add(role.organisation)
    return known


def leaders(gazetteer: entities.Gazetteer, people: set[str]) -> dict[str, set[str]]:
    """Person slug → organisations they run (CEO-like titles), from the gazetteer."""
    out: dict[str, set[str]] = {}
    for slug in people:
        person = _person(gazetteer, slug)
        if person is None:
            continue
        led = {r.organisation for r in person.roles if r.organisation and r.title.casefold() in LEADER_TITLES}
        if led:
            out[slug] = led
    return out


def roles_in_text(
    parsed: Sequence[ParsedSentence],
    resolution: Resolution,
    mentions: Sequence[EntityMention],
    org_kinds: Mapping[str, str],
    text: str,
) -> list[tuple[str, str, str]]:
    """(person, organisation, title) the text's appositions state: "X, le patron de Y", "le PDG
    de Y, X"."""
    out: list[tuple[str, str, str]] = []
    for k, ps in enumerate(parsed):
        view = SentenceView.build(k, ps, resolution, mentions, org_kinds, text)
        for tok in ps.doc:
            if tok.lemma_.casefold() not in TEXT_TITLES:
                continue
            orgs = [m for c in tok.children if syntax.preposition(c) == "de" for m in denotes(view, c)]
            people = [m for m in denotes(view, tok.head) if tok.dep_ == "appos"]
            people += [m for c in tok.children if c.dep_ in ("appos", "flat:name") for m in denotes(view, c)]
            out += [
                (person.slug, org.slug, tok.text)
                for person in people
                if person.kind == "person"
                for org in orgs
                if org.kind == "organisation"
            ]
    return out


def leads(leaders: Mapping[str, set[str]], stated: Sequence[tuple[str, str, str]]) -> dict[str, set[str]]:
    """Person → organisations they run: the gazetteer's (``leaders``) and the text's."""
    out: dict[str, set[str]] = {slug: set(orgs) for slug, orgs in leaders.items()}
    for person, organisation, _ in stated:
        out.setdefault(person, set()).add(organisation)
    return out
