import { AwsSolutionsChecks } from 'cdk-nag';
import { manifest as realManifest, type Manifest } from '../../functions/manifest';
import type { AnyOperation, HttpMethod } from '../../functions/kit/operation';
import type { Access } from '../../functions/kit/auth';
import { DEFAULT_MAX_OPERATIONS_PER_STACK, operationChunks, type PlatformStack } from '../../lib/platform-stack';
import { routeKeysOf, synthesizedTemplates, type SynthesizedTemplate } from '../../lib/routes';
import { platformStack } from './synth';

const CLOUDFORMATION_RESOURCE_LIMIT = 500;
const CLOUDFORMATION_PARAMETER_LIMIT = 200;

/**
 * 150 operations over 6 domains, one of them (compute, 70) big enough to need two nested stacks.
 * Handlers are fake module names: with bundling skipped nothing reads them.
 */
function generatedManifest(): Manifest {
  const sizes: Record<string, number> = { compute: 70, networking: 16, storage: 16, billing: 16, tenancy: 16, events: 16 };
  const shapes: { method: HttpMethod; suffix: string; access: Access; verb: string }[] = [
    { method: 'GET', suffix: '', access: 'viewer', verb: 'list' },
    { method: 'POST', suffix: '', access: 'member', verb: 'create' },
    { method: 'GET', suffix: '/{id}', access: 'viewer', verb: 'get' },
    { method: 'PATCH', suffix: '/{id}', access: 'member', verb: 'update' },
    { method: 'DELETE', suffix: '/{id}', access: 'owner', verb: 'delete' },
    { method: 'GET', suffix: '', access: 'platform-admin', verb: 'adminList' },
    { method: 'GET', suffix: '/status', access: 'public', verb: 'status' },
  ];
  const operations: AnyOperation[] = [];
  for (const [domain, size] of Object.entries(sizes)) {
    for (let i = 0; i < size; i++) {
      const shape = shapes[i % shapes.length]!;
      const resource = `things${Math.floor(i / shapes.length)}`;
      const path = shape.access === 'platform-admin' ? `/v1/admin/${domain}/${resource}` : `/v1/${domain}/${resource}${shape.suffix}`;
      operations.push({
        operationId: `${shape.verb}${domain[0]!.toUpperCase()}${domain.slice(1)}Thing${i}`,
        method: shape.method,
        path,
        handler: `${domain}/op-${i}`,
        domain,
        summary: 'generated',
        access: shape.access,
        status: 200,
        ...(shape.verb === 'list' ? { needs: ['cursorSecret' as const] } : {}),
      } as unknown as AnyOperation);
    }
  }
  return { ...realManifest, operations };
}

describe('a manifest of 150 operations', () => {
  const manifest = generatedManifest();
  let stack: PlatformStack;
  let templates: SynthesizedTemplate[];

  beforeAll(() => {
    // Prepare
    stack = platformStack({ manifest });
    // Act
    templates = synthesizedTemplates(stack);
  });

  it('is the manifest the test means: 150 operations, 6 domains, a public and an admin route in each', () => {
    // Assess
    expect(manifest.operations).toHaveLength(150);
    expect(new Set(manifest.operations.map((op) => op.domain)).size).toBe(6);
  });

  it('keeps every stack, root and nested, under the CloudFormation resource and parameter limits', () => {
    // Prepare / Act
    const counts = templates.map((t) => ({
      stack: t.stackPath,
      resources: Object.keys(t.template.Resources ?? {}).length,
      parameters: Object.keys(t.template.Parameters ?? {}).length,
    }));
    // Assess
    expect(counts.filter((c) => c.resources >= CLOUDFORMATION_RESOURCE_LIMIT)).toEqual([]);
    expect(counts.filter((c) => c.parameters >= CLOUDFORMATION_PARAMETER_LIMIT)).toEqual([]);
    expect(Math.max(...counts.map((c) => c.resources))).toBeGreaterThan(100);
  });

  it('splits the operations into nested stacks per domain of at most the chunk size', () => {
    // Prepare
    // The operations' nested stacks (others hold the event relay, the sagas, the schedules).
    const operationStackPaths = new Set([...stack.operationStacks.values()].map((nested) => nested.node.path));
    const nested = templates.filter((t) => operationStackPaths.has(t.stackPath));
    // Act
    const functionsPerStack = nested.map(
      (t) => Object.values(t.template.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Function').length,
    );
    // Assess
    expect(nested).toHaveLength(7);
    expect(functionsPerStack.reduce((a, b) => a + b, 0)).toBe(150);
    for (const count of functionsPerStack) expect(count).toBeLessThanOrEqual(DEFAULT_MAX_OPERATIONS_PER_STACK);
    expect([...stack.operationStacks.keys()]).toEqual(
      expect.arrayContaining(['ComputeOperations', 'ComputeOperations2', 'NetworkingOperations']),
    );
  });

  it('declares every route exactly once', () => {
    // Prepare
    const expected = manifest.operations.map((op) => `${op.method} ${op.path}`).sort();
    // Act
    const synthesized = routeKeysOf(stack);
    // Assess
    expect(synthesized).toEqual(expected);
  });

  it('gives the cursor key only to operations that declare the need', () => {
    // Prepare
    const functions = templates.flatMap((t) => Object.values(t.template.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Function'));
    const needing = new Set(manifest.operations.filter((op) => op.needs?.includes('cursorSecret')).map((op) => `${op.method} ${op.path} (${op.operationId})`));
    // Act
    const withSecret = functions.filter((f) => (f.Properties!.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.CURSOR_SECRET_ARN);
    // Assess
    expect(needing.size).toBeGreaterThan(0);
    expect(new Set(withSecret.map((f) => f.Properties!.Description))).toEqual(needing);
  });

  it('grants table writes only to mutating operations and the secret only to roles that need it', () => {
    // Prepare
    const root = templates[0]!.template;
    const policies = Object.entries(root.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
    // Act
    const actionsOf = (idPart: string) =>
      policies
        .filter(([id]) => id.includes(idPart))
        .flatMap(([, p]) => ((p.Properties!.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement))
        .flatMap((s) => [s.Action].flat());
    // Assess
    expect(actionsOf('ComputeReadOnly')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('ComputeReadOnly')).toContain('dynamodb:Query');
    expect(actionsOf('ComputeReadWrite')).toContain('dynamodb:PutItem');
    expect(actionsOf('ComputeReadOnlyCursor')).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf('ComputeReadWrite')).not.toContain('secretsmanager:GetSecretValue');
  });

  it('passes cdk-nag with every role variant', () => {
    // Act
    const violations = new AwsSolutionsChecks().validateScope(stack.node.root).violations;
    // Assess
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('operationChunks', () => {
  it('keeps chunks in operationId order, so the same manifest always yields the same stacks', () => {
    // Prepare
    const ops = ['d', 'a', 'c', 'b', 'e'].map((id) => ({ operationId: id, domain: 'x-y' }) as unknown as AnyOperation);
    // Act
    const chunks = operationChunks(ops, 2);
    // Assess
    expect([...chunks].map(([key, chunk]) => [key, chunk.map((op) => op.operationId)])).toEqual([
      ['XYOperations', ['a', 'b']],
      ['XYOperations2', ['c', 'd']],
      ['XYOperations3', ['e']],
    ]);
  });
});
