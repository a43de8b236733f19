/**
 * `npm run lint:deps`: checks functions/ against the import boundaries of .dependency-cruiser.cjs
 * with dependency-cruiser's API. `node --import tsx bin/lint-deps.mts [--json] [root]` checks
 * `<root>/functions` (default: this repository); --json prints the violations as JSON (the
 * boundaries test reads them). Exits 1 when there is any.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise, type IConfiguration } from 'dependency-cruiser';

const args = process.argv.slice(2);
const json = args.includes('--json');
const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? '.');
const config = createRequire(import.meta.url)(resolve(import.meta.dirname, '../.dependency-cruiser.cjs')) as IConfiguration;

// Module paths are relative to the working directory: the rules are anchored at `functions/`.
process.chdir(root);
const result = await cruise(['functions'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } });
if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
const violations = result.output.summary.violations.map((v) => ({
  rule: v.rule.name,
  from: v.from,
  to: v.to,
  ...(v.cycle ? { cycle: v.cycle.map((step) => step.name) } : {}),
}));
if (json) {
  process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
} else {
  for (const v of violations) process.stdout.write(`${v.rule}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.join(' → ')})` : ''}\n`);
  process.stdout.write(`${violations.length} boundary violations in ${result.output.summary.totalCruised} modules\n`);
}
process.exitCode = violations.length > 0 ? 1 : 0;
