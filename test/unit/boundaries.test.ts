/**
 * The import boundaries (.dependency-cruiser.cjs, run by `npm run lint:deps` in `npm test`) on a
 * fixture tree that breaks each rule once (test/fixtures/boundaries): every rule must report its
 * break, so a rule that silently stops matching fails here rather than letting the real tree drift.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

const ROOT = join(__dirname, '../..');

function lintDeps(root: string): { status: number | null; violations: Violation[] } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/lint-deps.mts', '--json', root], { cwd: ROOT, encoding: 'utf8' });
  if (run.error) throw run.error;
  if (!run.stdout.trim()) throw new Error(`lint-deps printed nothing: ${run.stderr}`);
  return { status: run.status, violations: JSON.parse(run.stdout) as Violation[] };
}

describe('import boundaries', () => {
  let result: ReturnType<typeof lintDeps>;

  beforeAll(() => {
    // Act
    result = lintDeps(join(ROOT, 'test/fixtures/boundaries'));
  }, 180_000);

  const reported = (rule: string) => result.violations.filter((v) => v.rule === rule).map(({ from, to }) => ({ from, to }));

  it('fails the run when the tree breaks a rule', () => {
    // Assess
    expect(result.status).toBe(1);
  });

  it('functions/ never imports lib/ or the CDK', () => {
    // Assess
    expect(reported('functions-not-infrastructure')).toEqual(
      expect.arrayContaining([
        { from: 'functions/compute/cdk.ts', to: 'lib/thing.ts' },
        { from: 'functions/compute/cdk.ts', to: expect.stringMatching(/node_modules\/aws-cdk-lib\//) },
      ]),
    );
  });

  it('the kit imports no domain', () => {
    // Assess
    expect(reported('kit-imports-no-domain')).toEqual([{ from: 'functions/kit/leaky.ts', to: 'functions/networking/vpc.ts' }]);
  });

  it('no import cycles', () => {
    // Assess
    const cycles = result.violations.filter((v) => v.rule === 'no-circular');
    expect(cycles.length).toBeGreaterThan(0);
    expect(cycles.flatMap((v) => [v.from, v.to]).sort()).toEqual(expect.arrayContaining(['functions/projects/a.ts', 'functions/projects/b.ts']));
  });

  it('a domain imports another only through its public modules', () => {
    // Assess
    expect(reported('domain-through-public-module')).toEqual([{ from: 'functions/compute/private.ts', to: 'functions/projects/secret.ts' }]);
  });

  it('a lower domain never imports a higher one, even through its public index.ts', () => {
    // Assess
    expect(reported('no-higher-layer:networking')).toEqual([{ from: 'functions/networking/uses-compute.ts', to: 'functions/compute/index.ts' }]);
  });

  it('a folder of functions/ that the config does not declare is reported', () => {
    // Assess
    expect(reported('undeclared-folder')).toEqual([{ from: 'functions/billing/rate.ts', to: 'functions/networking/vpc.ts' }]);
  });

  it('reports nothing else: each break is caught by its own rule', () => {
    // Assess
    expect(new Set(result.violations.map((v) => v.rule))).toEqual(
      new Set(['functions-not-infrastructure', 'kit-imports-no-domain', 'no-circular', 'domain-through-public-module', 'no-higher-layer:networking', 'undeclared-folder']),
    );
  });
});
