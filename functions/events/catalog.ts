/**
 * The event catalog, generated from the manifest's event declarations (defineEvent): for each
 * detail-type a JSON Schema (draft 2020-12) of its full `detail` (the envelope fields every event
 * carries, and its `data`) for docs/events.md, and a JSON Schema draft 4 of the whole EventBridge
 * event for the EventBridge schema registry (the registry takes OpenApi3 or JSONSchemaDraft4).
 */
import * as z from 'zod/mini';
import { manifest } from '../manifest';
import type { AnyEventSpec } from './define';

type Json = Record<string, unknown>;

export interface CatalogEntry {
  source: string;
  detailType: string;
  resourceType: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the event's `detail`. */
  schema: Json;
}

/** The zod schema of a detail-type's `detail`: the common fields and this event's `data`. */
export function detailOf(spec: AnyEventSpec) {
  return z.object({
    eventId: z.string().check(z.describe('Unique per event and the same on every delivery of it: consumers deduplicate on it.')),
    tenantId: z.string(),
    resourceType: z.literal(spec.resourceType),
    resourceId: z.string(),
    occurredAt: z.string().check(z.describe('When the change was committed, ISO 8601 UTC.')),
    actor: z.string().check(z.describe('`user:<id>` for API callers, `system:<component>` for sagas and jobs.')),
    data: spec.data,
  });
}

/** The whole event as EventBridge delivers it to a rule's target. */
export function busEventOf(spec: AnyEventSpec) {
  return z.object({
    version: z.string(),
    id: z.string().check(z.describe('EventBridge\'s id of this delivery; a redelivered event gets a new one (use detail.eventId).')),
    'detail-type': z.literal(spec.detailType),
    source: z.literal(spec.source),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail: detailOf(spec),
  });
}

// Input mode: `data` is stored as given, and objects stay open so consumers tolerate added fields.
const jsonSchema = (schema: z.core.$ZodType, target: 'draft-2020-12' | 'draft-04') =>
  z.toJSONSchema(schema, { target, io: 'input', unrepresentable: 'any' }) as Json;

export function detailSchema(spec: AnyEventSpec): Json {
  return { ...jsonSchema(detailOf(spec), 'draft-2020-12'), title: spec.detailType, description: spec.description };
}

/** The registry's content for a detail-type: JSON Schema draft 4 of the whole EventBridge event. */
export function registrySchema(spec: AnyEventSpec): Json {
  return { ...jsonSchema(busEventOf(spec), 'draft-04'), title: spec.detailType, description: spec.description };
}

/** The schema's name in the registry, as EventBridge names discovered ones: `<source>@<detail-type>`. */
export function registrySchemaName(spec: AnyEventSpec): string {
  return `${spec.source}@${spec.detailType}`;
}

export function catalogProblems(events: readonly AnyEventSpec[]): string[] {
  const seen = new Map<string, AnyEventSpec>();
  const problems: string[] = [];
  for (const spec of events) {
    const other = seen.get(spec.detailType);
    if (other) problems.push(`detail-type ${spec.detailType} is declared twice (${other.source}, ${spec.source})`);
    seen.set(spec.detailType, spec);
  }
  return problems;
}

export function eventCatalog(events: readonly AnyEventSpec[] = manifest.events): CatalogEntry[] {
  const problems = catalogProblems(events);
  if (problems.length > 0) throw new Error(`The event catalog has problems:\n${problems.join('\n')}`);
  return [...events]
    .sort((a, b) => a.source.localeCompare(b.source) || a.detailType.localeCompare(b.detailType))
    .map((spec) => ({
      source: spec.source,
      detailType: spec.detailType,
      resourceType: spec.resourceType,
      description: spec.description,
      schema: detailSchema(spec),
    }));
}

export const CATALOG_START = '<!-- event-catalog:start -->';
export const CATALOG_END = '<!-- event-catalog:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The catalog section of docs/events.md, markers included. */
export function catalogMarkdown(entries: readonly CatalogEntry[]): string {
  const lines = [CATALOG_START, '<!-- Generated from the manifest\'s events by `npm run catalog`; a unit test fails when it is stale. -->', ''];
  if (entries.length === 0) {
    lines.push('No detail-types are declared yet.');
  } else {
    lines.push('| detail-type | source | resource | what happened |', '|---|---|---|---|');
    for (const entry of entries) {
      lines.push(`| [\`${entry.detailType}\`](#event-${entry.detailType.replace(/[._]/g, '-')}) | \`${entry.source}\` | ${cell(entry.resourceType)} | ${cell(entry.description)} |`);
    }
    for (const entry of entries) {
      lines.push(
        '',
        `<a id="event-${entry.detailType.replace(/[._]/g, '-')}"></a>`,
        `#### \`${entry.detailType}\``,
        '',
        `Source \`${entry.source}\`. ${entry.description}`,
        '',
        '<details><summary>JSON Schema of <code>detail</code></summary>',
        '',
        '```json',
        JSON.stringify(entry.schema, null, 2),
        '```',
        '',
        '</details>',
      );
    }
  }
  lines.push('', CATALOG_END);
  return lines.join('\n');
}

/** `readme` with its catalog section replaced by the one generated from `entries`. */
export function withCatalog(readme: string, entries: readonly CatalogEntry[]): string {
  const start = readme.indexOf(CATALOG_START);
  const end = readme.indexOf(CATALOG_END);
  if (start < 0 || end < start) throw new Error(`The catalog file has no ${CATALOG_START} ... ${CATALOG_END} section`);
  return `${readme.slice(0, start)}${catalogMarkdown(entries)}${readme.slice(end + CATALOG_END.length)}`;
}
