/** The benchmark's tables: printed as they finish and written together to bench/results/latest.md. */
import type { Platform } from '../../lib/local/runtime';
import type { HttpClient } from './load';
import type { DynamoDbMeter } from './meter';

export interface Target {
  /** What is promised, in words: `≥ 0.7 of raw GetItem throughput at concurrency 16`. */
  label: string;
  measured: string;
  met: boolean;
}

export interface Section {
  title: string;
  /** One paragraph: what was measured against what. */
  method: string;
  headers: string[];
  rows: (string | number)[][];
  targets: Target[];
  notes?: string[];
}

export interface BenchContext {
  platform: Platform;
  http: HttpClient;
  meter: DynamoDbMeter;
  /** `--full`: the slow variants too (10⁵ items of growth, more cold-start runs). */
  full: boolean;
}

export const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const ms = (value: number) => `${fixed(value, value < 10 ? 2 : 1)} ms`;
export const ratio = (value: number) => `${fixed(value)}×`;
/** A median ratio and its spread over the batches: `0.93× (0.90–0.97)`. */
export const spread = (r: { median: number; min: number; max: number }) => `${ratio(r.median)} (${fixed(r.min)}–${fixed(r.max)})`;
export const kib = (bytes: number) => `${fixed(bytes / 1024, 1)} KiB`;
export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderSection(section: Section): string {
  const parts = [`## ${section.title}`, '', section.method, '', markdownTable(section.headers, section.rows), ''];
  if (section.targets.length > 0) {
    parts.push(markdownTable(['Target', 'Measured', 'Verdict'], section.targets.map((t) => [t.label, t.measured, verdict(t.met)])), '');
  }
  for (const note of section.notes ?? []) parts.push(`- ${note}`);
  if (section.notes?.length) parts.push('');
  return parts.join('\n');
}
