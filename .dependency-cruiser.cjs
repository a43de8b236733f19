/**
 * The import boundaries of functions/ (DESIGN.md, "Boundaries"), checked by `npm run lint:deps`
 * (bin/lint-deps.mts), which `npm test` runs before jest. test/unit/boundaries.test.ts runs the same
 * rules on a fixture tree that breaks each of them, so a rule that stops matching fails a test.
 *
 *   - functions/ never imports lib/, bin/, aws-cdk-lib or constructs (it runs inside a Lambda);
 *   - functions/kit/ imports nothing of functions/ outside the kit (no domain);
 *   - no import cycles (type-only imports count: they are cycles of declarations);
 *   - a domain imports another domain only through that domain's public modules: its index.ts,
 *     or the files `publicModules` names below (the rest is the domain's own);
 *   - a lower layer never imports a higher one (networking never imports compute). A lower domain
 *     that must act on a higher one's resources owns a registry the higher one fills, and the
 *     handlers load the registrations through functions/wiring/ (route targets, project terminators).
 *
 * functions/kit/ is for every domain; functions/wiring/ is the composition: the only place that joins
 * domains which may not import each other (every handler takes its httpHandler from wiring/http.ts).
 * A new domain folder must be declared here (its layer and public modules): `undeclared-folder`.
 */

/** Folders that are not domains: the kit and the composition modules. */
const SHARED = ['kit', 'wiring'];

/** Each domain's public modules besides its index.ts, relative to the domain's folder. */
const publicModules = {
  events: ['define.ts', 'outbox.ts', 'usage.ts'],
  sagas: ['define.ts', 'errors.ts', 'operation.ts', 'step.ts'],
  platform: ['zones.ts'],
  operations: [],
  jobs: [],
  providers: ['keys.ts', 'provider.ts'],
  tenancy: ['plans.ts', 'quotas.ts'],
  // deletion/terminators.ts: the registry every resource domain adds its terminator to.
  projects: ['project.ts', 'repository.ts', 'deletion/terminators.ts'],
  // route-targets.ts: the registry a domain whose resources are route targets fills.
  networking: [
    'addresses.ts',
    'default-vpc.ts',
    'events.ts',
    'keys.ts',
    'route-targets.ts',
    'security-group-repository.ts',
    'subnet-repository.ts',
    'subnet.ts',
    'vpc-repository.ts',
    'vpc.ts',
  ],
  compute: [],
  storage: [],
};

/**
 * Lowest first. A module may not import a module of a later layer in another domain. The tenant
 * provisioning saga composes a new tenant out of lower domains (it creates the default VPC), so it
 * sits above networking while the rest of tenancy sits below projects.
 */
const layers = [
  { name: 'platform-services', paths: ['events', 'sagas', 'platform', 'operations', 'jobs', 'providers'] },
  { name: 'tenancy', paths: ['tenancy'], except: ['tenancy/provisioning'] },
  { name: 'projects', paths: ['projects'] },
  { name: 'networking', paths: ['networking'] },
  { name: 'tenant-provisioning', paths: ['tenancy/provisioning'] },
  { name: 'compute', paths: ['compute'] },
  // Volumes attach to instances, and an instance's root volume is one.
  { name: 'storage', paths: ['storage'] },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folders = (names) => `^functions/(${names.map(escape).join('|')})/`;

const publicPaths = Object.entries(publicModules).flatMap(([domain, files]) => files.map((file) => `^functions/${escape(domain)}/${escape(file)}$`));

const layerRules = layers.slice(0, -1).map((layer, index) => ({
  name: `no-higher-layer:${layer.name}`,
  comment: `${layer.name} must not import a higher layer (${layers.slice(index + 1).map((l) => l.name).join(', ')}): let the higher one register itself in a registry this layer owns.`,
  severity: 'error',
  from: { path: folders(layer.paths), ...(layer.except ? { pathNot: folders(layer.except) } : {}) },
  to: { path: folders(layers.slice(index + 1).flatMap((l) => l.paths)), pathNot: '^functions/$1/' },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'functions-not-infrastructure',
      comment: 'functions/ runs inside Lambdas: it never imports lib/, bin/ or the CDK.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: ['^(lib|bin)/', '(^|/)node_modules/(aws-cdk-lib|constructs)(/|$)', '^(aws-cdk-lib|constructs)(/|$)'] },
    },
    {
      name: 'kit-imports-no-domain',
      comment: 'The kit is shared by every domain and imports none (a domain hands it what it needs through functions/wiring/).',
      severity: 'error',
      from: { path: '^functions/kit/' },
      to: { path: '^functions/', pathNot: '^functions/kit/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-through-public-module',
      comment: "A domain imports another only through its public modules (its index.ts or the files named in publicModules of .dependency-cruiser.cjs).",
      severity: 'error',
      from: { path: '^functions/([^/]+)/', pathNot: folders(SHARED) },
      to: { path: '^functions/[^/]+/', pathNot: ['^functions/$1/', folders(SHARED), '^functions/[^/]+/index\\.ts$', ...publicPaths] },
    },
    ...layerRules,
    {
      name: 'undeclared-folder',
      comment: 'Every folder of functions/ is declared in .dependency-cruiser.cjs: its layer and its public modules.',
      severity: 'error',
      from: { path: '^functions/[^/]+/', pathNot: folders([...SHARED, ...Object.keys(publicModules)]) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (a cycle of declarations is a cycle).
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
