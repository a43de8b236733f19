/** The region this deployment serves and its availability zones, as AWS names them. */
export interface Region {
  name: string;
  status: 'available';
}

export interface AvailabilityZone {
  name: string;
  zoneId: string;
  region: string;
  state: 'available';
}

const ZONE_LETTERS = ['a', 'b', 'c'] as const;

/** `us-east-1` → `use1`, the prefix AWS uses for zone ids. */
export function regionShortCode(region: string): string {
  const parts = region.split('-');
  const number = parts.at(-1) ?? '';
  const words = parts.slice(0, -1);
  const [first = '', ...rest] = words;
  return `${first}${rest.map((w) => w[0] ?? '').join('')}${number}`;
}

export function availabilityZones(region: string): AvailabilityZone[] {
  const code = regionShortCode(region);
  return ZONE_LETTERS.map((letter, index) => ({
    name: `${region}${letter}`,
    zoneId: `${code}-az${index + 1}`,
    region,
    state: 'available',
  }));
}

export function isZoneOf(region: string, zone: string): boolean {
  return availabilityZones(region).some((z) => z.name === zone);
}
