import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { networkingOperations } from '../../functions/networking/operations';
import { bundleHandlers } from '../../lib/bundle';

describe('bundleHandlers', () => {
  let outdir: string;
  let folders: Map<string, string>;

  beforeAll(() => {
    // Prepare
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccp-bundle-test-'));
    // Act: one esbuild call for the three handlers.
    folders = bundleHandlers(['tenancy/pre-token-generation', 'platform/get-health', 'networking/get-vpc'], { outdir });
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('writes one folder per handler with index.js and its source map', () => {
    // Assess
    expect([...folders.keys()]).toEqual(['networking/get-vpc', 'platform/get-health', 'tenancy/pre-token-generation']);
    for (const folder of folders.values()) {
      expect(fs.readdirSync(folder).sort()).toEqual(['index.js', 'index.js.map']);
    }
  });

  it('bundles the AWS SDK instead of relying on the runtime copy', () => {
    // Prepare
    const code = fs.readFileSync(path.join(folders.get('platform/get-health')!, 'index.js'), 'utf8');
    // Act
    const externalRequires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m!.startsWith('node:'));
    // Assess: only the optional CRT signer (SigV4a, required inside a try by the SDK) stays outside.
    expect(externalRequires.filter((m) => m!.startsWith('@aws-sdk/') && m !== '@aws-sdk/signature-v4-crt')).toEqual([]);
    expect(code).toContain('DynamoDBClient');
  });

  it('produces a CommonJS module whose handler runs (the Cognito trigger)', async () => {
    // Prepare
    const mod = require(path.join(folders.get('tenancy/pre-token-generation')!, 'index.js')) as {
      handler: (event: unknown) => Promise<{ response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: unknown } } } }>;
    };
    const event = {
      version: '2',
      triggerSource: 'TokenGeneration_Authentication',
      userPoolId: 'pool',
      userName: 'u',
      request: { userAttributes: { 'custom:tenant_id': 't-1' }, groupConfiguration: { groupsToOverride: ['member'] } },
      response: { claimsAndScopeOverrideDetails: null },
    };
    // Act
    const out = await mod.handler(event);
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride).toEqual({ tenant_id: 't-1', roles: ['member'] });
  });

  it('loads node:stream/web, which only a streamed response needs, on first use', () => {
    // Prepare: a fresh process, as a Lambda container is.
    const file = path.join(folders.get('platform/get-health')!, 'index.js');
    const probe =
      `require(${JSON.stringify(file)});` +
      "const before = process.moduleLoadList.includes('NativeModule stream/web');" +
      `const shim = require(${JSON.stringify(path.resolve(__dirname, '../../lib/bundle-shims/stream-web.cjs'))});` +
      "const same = shim.ReadableStream === require('node:stream/web').ReadableStream;" +
      'process.stdout.write(JSON.stringify({ before, same }))';
    // Act
    const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' } }).toString());
    // Assess
    expect(out).toEqual({ before: false, same: true });
  });

  it("holds its own operation's declaration, not the rest of its domain's (declarations are /* @__PURE__ */)", () => {
    // Prepare
    const code = fs.readFileSync(path.join(folders.get('networking/get-vpc')!, 'index.js'), 'utf8');
    const others = networkingOperations.map((op) => op.operationId).filter((id) => id !== 'getVpc');
    // Act
    const declared = [...networkingOperations.map((op) => op.operationId)].filter((id) => code.includes(`"${id}"`));
    // Assess
    expect(others.length).toBeGreaterThan(10);
    expect(declared).toEqual(['getVpc']);
  });
});
