// A tour of the API by a client generated with openapi-typescript and driven with openapi-fetch, as
// a frontend would: list organisations, read one and its events, follow a cursor, search, read a
// problem, stream an export, then ingest and retract an article with an API key.
// Usage: node tour.js <read server> <write server> <API key>; prints what it saw as one JSON line.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Event = components["schemas"]["EventRead"];

const [reads, writes, key] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl: reads });

const organisations = await api.GET("/api/v1/organisations", {
  params: { query: { sort: "-mention_count", limit: 3 } },
});
assert.equal(organisations.response.status, 200);
assert.ok(organisations.data, "a page of organisations");
const first = organisations.data.data[0];
assert.ok(first, "at least one organisation");

const organisation = await api.GET("/api/v1/organisations/{organisation_id}", {
  params: { path: { organisation_id: first.id } },
});
assert.ok(organisation.data, "the organisation");
assert.equal(organisation.data.id, first.id);

const events = await api.GET("/api/v1/organisations/{organisation_id}/events", {
  params: { path: { organisation_id: first.id }, query: { limit: 1, sort: "-source_count" } },
});
assert.ok(events.data, "a page of its events");
const cursor = events.data.meta.next_cursor;
assert.ok(cursor, "a cursor to the next page");
const next = await api.GET("/api/v1/organisations/{organisation_id}/events", {
  params: { path: { organisation_id: first.id }, query: { limit: 1, sort: "-source_count", cursor } },
});
assert.ok(next.data, "the next page");
const [one, two] = [events.data.data[0], next.data.data[0]];
assert.ok(one && two && one.id !== two.id, "the next page holds the next event");

const hits = await api.GET("/api/v1/search", { params: { query: { q: first.name, types: "organisations" } } });
assert.ok(hits.data, "search hits");
assert.ok(hits.data.data.some((hit) => hit.type === "organisation" && hit.id === first.id));

const refused = await api.GET("/api/v1/events", { params: { query: { limit: 500 } } });
assert.equal(refused.response.status, 400);
assert.equal(refused.response.headers.get("content-type"), "application/problem+json");
assert.ok(refused.error, "a problem");
assert.equal(refused.error.errors?.[0]?.param, "limit");

const exported = await api.GET("/api/v1/export/events.ndjson", {
  params: { query: { organisation: [first.id] } },
  parseAs: "text",
});
assert.ok(exported.data, "an export");
const lines: Event[] = exported.data.trim().split("\n").map((line) => JSON.parse(line) as Event);
assert.ok(lines.every((event) => event.participants.some((p) => p.id === first.id)));

const writer = createClient<paths>({ baseUrl: writes, headers: { Authorization: `Bearer ${key}` } });
const text = "OpenAI a levé 6,6 milliards de dollars auprès de Microsoft et de Nvidia, a annoncé Sam Altman.";
const created = await writer.POST("/api/v1/documents", {
  body: { text, title: "Levée de fonds", language: "fr", published_on: "2024-10-02" },
});
assert.equal(created.response.status, 201);
assert.ok(created.data, "the ingested document");
const documentId = created.data.document.id;
const stored = await writer.GET("/api/v1/documents/{document_id}", { params: { path: { document_id: documentId } } });
assert.equal(stored.data?.text, text);
const keyless = await api.POST("/api/v1/documents", { baseUrl: writes, body: { text } });
assert.equal(keyless.response.status, 401);
const retracted = await writer.DELETE("/api/v1/documents/{document_id}", {
  params: { path: { document_id: documentId } },
});
assert.equal(retracted.response.status, 204);

console.log(
  JSON.stringify({
    organisation: first.id,
    events: [one.id, two.id],
    hits: hits.data.data.length,
    problem: refused.error.type,
    exported: lines.length,
    ingested: documentId,
    created: created.data.created,
  }),
);
