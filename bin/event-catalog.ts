/** Rewrites the event catalog section of README.md from the manifest's events (`npm run catalog`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventCatalog, withCatalog } from '../functions/events/catalog';

const target = resolve(__dirname, '..', 'README.md');
const entries = eventCatalog();
writeFileSync(target, withCatalog(readFileSync(target, 'utf8'), entries));
console.log(`wrote the catalog of ${entries.length} detail-types to ${target}`);
