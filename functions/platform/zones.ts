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

const COMPASS: [RegExp, string][] = [
  [/north/g, 'n'],
  [/south/g, 's'],
  [/east/g, 'e'],
  [/west/g, 'w'],
  [/central/g, 'c'],
];

/** `us-east-1` → `use1`, `ap-southeast-1` → `apse1`: the prefix AWS uses for zone ids. */
export function regionShortCode(region: string): string {
  const parts = region.split('-');
  const number = parts.at(-1) ?? '';
  const [area = '', ...words] = parts.slice(0, -1);
  const abbreviated = words.map((word) => COMPASS.reduce((text, [pattern, letter]) => text.replace(pattern, letter), word));
  return `${area}${abbreviated.map((word) => (/^[nsewc]+$/.test(word) ? word : word[0] ?? '')).join('')}${number}`;
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
