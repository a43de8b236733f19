/**
 * How big the races run. `npm run test:soak` (SOAK=1) runs them at full size; `npm test` runs them
 * smaller, still large enough that each fails without the rule it is for (a race of dozens of
 * requests at a limit of ten, twenty duplicates under one key, concurrent actions on one instance).
 */
export const SOAK = process.env.SOAK === '1';

export const bySize = <T>(sizes: { soak: T; quick: T }): T => (SOAK ? sizes.soak : sizes.quick);
