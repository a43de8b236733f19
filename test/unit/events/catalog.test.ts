import '../support/env';
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import {
  busEventOf,
  catalogMarkdown,
  catalogProblems,
  CATALOG_END,
  CATALOG_START,
  detailOf,
  detailSchema,
  eventCatalog,
  registrySchema,
  registrySchemaName,
  withCatalog,
} from '../../../functions/events/catalog';
import { defineEvent } from '../../../functions/events/define';
import { domainEvent, change } from '../../../functions/events/outbox';
import { manifest } from '../../../functions/manifest';
import { eventsDocument, EVENTS_DOC } from '../../../bin/event-catalog';
import { widgetCreated, widgetUpdated } from '../../fixtures/widgets/operations';

type Json = Record<string, any>;

describe('the event catalog', () => {
  it('gives each detail-type a draft 2020-12 schema of its whole detail, with its data', () => {
    // Act
    const schema = detailSchema(widgetCreated) as Json;
    // Assess
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('widget.created');
    expect(schema.description).toBe('A test widget was created.');
    expect(schema.required).toEqual(['eventId', 'tenantId', 'resourceType', 'resourceId', 'occurredAt', 'actor', 'data']);
    expect(schema.properties.resourceType).toEqual({ type: 'string', const: 'widget' });
    expect(schema.properties.data).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, size: { type: 'number' } },
      required: ['name', 'size'],
    });
  });

  it('describes what the outbox really writes: a detail built by the outbox satisfies the schema it was generated from', () => {
    // Prepare
    const event = domainEvent(change(widgetCreated, { tenantId: 't', resourceId: 'wgt-1', data: { name: 'n', size: 2 } }), {
      actor: 'user:u',
      requestId: 'r',
      now: new Date(),
    });
    // Act
    const parsed = detailOf(widgetCreated).safeParse(event.detail);
    // Assess
    expect(parsed.success).toBe(true);
    expect(detailOf(widgetCreated).safeParse({ ...event.detail, resourceType: 'gadget' }).success).toBe(false);
  });

  it('gives the schema registry a JSON Schema draft 4 of the whole EventBridge event', () => {
    // Act
    const schema = registrySchema(widgetCreated) as Json;
    // Assess
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.properties['detail-type']).toEqual({ type: 'string', enum: ['widget.created'] });
    expect(schema.properties.source).toEqual({ type: 'string', enum: ['platform.widgets'] });
    expect(schema.properties.detail.properties.data.required).toEqual(['name', 'size']);
    expect(JSON.stringify(schema)).not.toContain('"const"');
    expect(registrySchemaName(widgetCreated)).toBe('platform.widgets@widget.created');
    expect(busEventOf(widgetCreated).safeParse({ version: '0', id: 'x', 'detail-type': 'widget.updated', source: 'platform.widgets', account: 'a', time: 't', region: 'r', resources: [], detail: {} }).success).toBe(false);
  });

  it('lists detail-types sorted by source and detail-type and refuses one declared twice', () => {
    // Prepare
    const again = defineEvent({ ...widgetCreated, source: 'platform.gadgets', data: z.object({}) });
    // Act
    const entries = eventCatalog([widgetUpdated, widgetCreated]);
    // Assess
    expect(entries.map((e) => e.detailType)).toEqual(['widget.created', 'widget.updated']);
    expect(catalogProblems([widgetCreated, again])).toEqual(['detail-type widget.created is declared twice (platform.widgets, platform.gadgets)']);
    expect(() => eventCatalog([widgetCreated, again])).toThrow(/declared twice/);
  });

  it('writes a markdown section with a row and a schema per detail-type', () => {
    // Act
    const markdown = catalogMarkdown(eventCatalog([widgetCreated, widgetUpdated]));
    // Assess
    expect(markdown.startsWith(CATALOG_START)).toBe(true);
    expect(markdown.endsWith(CATALOG_END)).toBe(true);
    expect(markdown).toContain('| [`widget.created`](#event-widget-created) | `platform.widgets` | widget | A test widget was created. |');
    expect(markdown).toContain('#### `widget.updated`');
    expect(markdown.match(/```json/g)).toHaveLength(2);
  });

  it('replaces only the section between the markers', () => {
    // Prepare
    const readme = `# Title\n\nbefore\n${CATALOG_START}\nold\n${CATALOG_END}\nafter\n`;
    // Act
    const updated = withCatalog(readme, eventCatalog([widgetCreated]));
    // Assess
    expect(updated.startsWith('# Title\n\nbefore\n')).toBe(true);
    expect(updated.endsWith(`${CATALOG_END}\nafter\n`)).toBe(true);
    expect(updated).not.toContain('\nold\n');
    expect(() => withCatalog('# no markers', [])).toThrow(/no <!-- event-catalog:start -->/);
  });

  it('is fresh: docs/events.md is the catalog generated from the manifest\'s events', () => {
    // Prepare
    const written = readFileSync(EVENTS_DOC, 'utf8');
    // Act
    const expected = eventsDocument(eventCatalog());
    // Assess
    if (written !== expected) throw new Error('docs/events.md is out of date with manifest.events: run `npm run catalog`.');
    expect(written.startsWith('# Event catalog\n')).toBe(true);
    expect(written).toContain('generated by `npm run catalog`');
    expect(manifest.events.every((spec) => written.includes(`#### \`${spec.detailType}\``))).toBe(true);
  });
});
