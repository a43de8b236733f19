/** ETag and If-Match: the ETag of a resource is its version; If-Match guards PATCH and actions (412). */
import { BadRequest, PreconditionFailed } from './errors';

export type IfMatch = { any: true } | { any: false; versions: string[] };

export function etagOf(version: number | string): string {
  return `"${version}"`;
}

export function parseIfMatch(value: string | undefined): IfMatch | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return { any: true };
  const versions: string[] = [];
  for (const part of value.split(',')) {
    const match = /^\s*(W\/)?"([^"]*)"\s*$/.exec(part);
    if (!match) throw new BadRequest('InvalidParameterValue', 'If-Match must be * or a list of quoted ETags.');
    // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches.
    if (!match[1]) versions.push(match[2] as string);
  }
  return { any: false, versions };
}

/** Throws 412 when the caller's If-Match does not name the version it is about to change. */
export function assertIfMatch(ifMatch: IfMatch | undefined, version: number | string | undefined): void {
  if (!ifMatch) return;
  if (version === undefined) throw new PreconditionFailed('The resource does not exist.');
  if (!ifMatch.any && !ifMatch.versions.includes(String(version))) throw new PreconditionFailed();
}
