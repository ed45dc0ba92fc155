// What a frontend written against the generated types does; `tsc --strict` must accept it.
import type { components, paths } from "./api";

type EventList = paths["/api/v1/events"]["get"]["responses"][200]["content"]["application/json"];
type EventQuery = NonNullable<paths["/api/v1/events"]["get"]["parameters"]["query"]>;
type Event = components["schemas"]["EventRead"];
type Funding = components["schemas"]["FundingRead"];
type Problem = paths["/api/v1/events"]["get"]["responses"][400]["content"]["application/problem+json"];

export function headline(event: Event): string {
  const who = event.participants.map((p) => `${p.name} (${p.role})`).join(", ");
  const when = event.occurred_on ?? event.date_text ?? "date inconnue";
  return `${event.title} — ${who} — ${when} — ${event.citations.length} source(s)`;
}

export function nextPage(page: EventList): string | null {
  return page.meta.next_cursor ?? null;
}

export function usd(funding: Funding): number | null {
  return funding.amount_usd ?? null;
}

export function firstError(problem: Problem): string {
  return problem.errors?.[0]?.param ?? problem.title;
}

export const query: EventQuery = { type: ["lawsuit", "bid"], status: ["pending"], limit: 20, sort: "-occurred_on" };

// @ts-expect-error "coup" is not an event type: the enum reached the client.
export const wrongType: EventQuery = { type: ["coup"] };

// @ts-expect-error the sort values are an enum too.
export const wrongSort: EventQuery = { sort: "title" };

// A nullable enum is one named enum or null.
type Precision = components["schemas"]["EventRead"]["date_precision"];
export const precise: Precision = "month";
export const undated: Precision = null;
// @ts-expect-error "week" is not a date precision.
export const wrongPrecision: Precision = "week";

// A list's envelope is named for people.
export const emptyPage: components["schemas"]["EventPage"] = { data: [], meta: { limit: 50, next_cursor: null } };
