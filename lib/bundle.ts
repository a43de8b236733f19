/**
 * Handler code for the stack: every handler module bundled by ONE esbuild call.
 *
 * NodejsFunction starts one esbuild per function (~0.45 s each); with 100+ operations that is
 * most of the synth time. One `buildSync` with many entry points shares parsing and the module
 * graph between handlers, and writes one folder per handler (`<out>/<domain>/<module>/index.js`)
 * so `lambda.Code.fromAsset(folder)` with handler `index.handler` works.
 *
 * Bundling runs only when the stack needs it (`Stack.bundlingRequired`, false when tests pass
 * context `aws:cdk:bundling-stacks: []`); otherwise every function gets one tiny placeholder asset.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** The repository's functions/ folder: handler `platform/get-me` is `functions/platform/get-me.ts`. */
export const FUNCTIONS_DIR = path.resolve(__dirname, '..', 'functions');

/**
 * middy's core imports `node:stream/web` at the top for streamed responses, which no operation
 * sends; loading the web streams added ~3 ms to every cold start. The shim loads them on first use.
 */
const WEB_STREAMS_ON_FIRST_USE = path.resolve(__dirname, 'bundle-shims', 'stream-web.cjs');

/** The handler string of every bundled function: `index.js` exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

/** Gives each function its code: `codeFor('platform/get-me')`. A new Code per call (assets bind to one stack). */
export interface HandlerCode {
  readonly bundled: boolean;
  codeFor(handler: string): lambda.Code;
}

export interface BundleOptions {
  /** Where handler modules live; default the repository's functions/. */
  functionsDir?: string;
  /** Output folder; default a fresh temporary folder. Emptied first. */
  outdir?: string;
}

/**
 * Bundles the given handler modules (`<domain>/<module>`, without extension) in one esbuild call.
 * Returns the output folder of each handler.
 */
export function bundleHandlers(handlers: readonly string[], options: BundleOptions = {}): Map<string, string> {
  const functionsDir = options.functionsDir ?? FUNCTIONS_DIR;
  const outdir = options.outdir ?? temporaryDir('ccp-handlers-');
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });

  const unique = [...new Set(handlers)].sort();
  const entryPoints: Record<string, string> = {};
  for (const handler of unique) {
    const source = ['.ts', '.js'].map((ext) => path.join(functionsDir, `${handler}${ext}`)).find((f) => fs.existsSync(f));
    if (!source) throw new Error(`Handler module ${handler} not found under ${functionsDir}`);
    entryPoints[`${handler}/index`] = source;
  }

  buildSync({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    // CommonJS: the Lambda Node runtime loads `index.js` as CJS without a package.json next to it,
    // and esbuild turns the ESM-only dependencies (middy 6) into CJS while bundling.
    format: 'cjs',
    // Prefer the ESM builds of dependencies (AWS SDK v3, powertools): they tree-shake better.
    mainFields: ['module', 'main'],
    minify: true,
    treeShaking: true,
    // Linked `index.js.map`, read only when a function is given NODE_OPTIONS=--enable-source-maps
    // (for debugging: parsing the map costs every cold start about 8 ms). Without sourcesContent the
    // maps stay small; stack traces need the mappings only.
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'error',
    // No externals: the AWS SDK v3 is bundled too. The Node 22 runtime ships an SDK v3, but its
    // version floats with AWS's runtime updates and lags ours; bundling pins the exact version the
    // tests ran against (DynamoDB/Secrets Manager clients, ReturnValuesOnConditionCheckFailure
    // handling) at the cost of ~100-300 KB per bundle, which tree-shaking keeps small.
    external: [],
    alias: { 'node:stream/web': WEB_STREAMS_ON_FIRST_USE },
  });

  return new Map(unique.map((handler) => [handler, path.join(outdir, handler)]));
}

/**
 * A folder removed when the process exits. Assets are copied into the cloud assembly while the
 * constructs are built, so nothing reads these folders after synthesis.
 */
function temporaryDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PLACEHOLDER_SOURCE =
  "exports.handler = async () => { throw new Error('placeholder: this stack was synthesized without bundling'); };\n";

/**
 * A tiny folder used as every function's code when bundling is skipped (unit tests, `cdk ls`).
 * Its path and content are fixed, so every synth (and every jest worker) shares one folder and the
 * asset hash never changes; it is written atomically in case two processes race.
 */
export function placeholderCodeDir(): string {
  const dir = path.join(os.tmpdir(), 'ccp-placeholder-handler');
  const file = path.join(dir, 'index.js');
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === PLACEHOLDER_SOURCE) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(staging, PLACEHOLDER_SOURCE);
  fs.renameSync(staging, file);
  return dir;
}

/**
 * The code of the given handlers for `scope`'s stack: bundled in one esbuild call if the stack
 * needs bundling, the placeholder otherwise. Call once per app (the root stack) and share.
 */
export function handlerCode(scope: Construct, handlers: readonly string[], options: BundleOptions = {}): HandlerCode {
  if (!Stack.of(scope).bundlingRequired) {
    const dir = placeholderCodeDir();
    return { bundled: false, codeFor: () => lambda.Code.fromAsset(dir) };
  }
  const folders = bundleHandlers(handlers, options);
  return {
    bundled: true,
    codeFor: (handler) => {
      const folder = folders.get(handler);
      if (!folder) throw new Error(`Handler ${handler} was not bundled`);
      return lambda.Code.fromAsset(folder);
    },
  };
}
