import { ulid } from 'ulid';

/** A resource id: its type prefix and a lowercase ULID, e.g. `vpc-01jd5f3w3t9k8m2x0c4s6v7b8n`. */
export function newId(prefix: string): string {
  return `${prefix}-${ulid().toLowerCase()}`;
}

const idPattern = /^[a-z]{1,12}-[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(value: string, prefix?: string): boolean {
  return idPattern.test(value) && (prefix === undefined || value.startsWith(`${prefix}-`));
}
