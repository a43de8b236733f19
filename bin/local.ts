/**
 * `npm start`: the whole platform on this machine. Flags: --port N (env PORT, default 3000),
 * --memory (nothing written to disk), --data-dir DIR (default .data), --host H, --quiet,
 * --speed N (recurring jobs run N times faster: a five-minute job every 5/N minutes),
 * --faults point[:times],... (saga steps that fail, e.g. TenantProvisioning.Activate:1; env FAULTS).
 */
import { parseArgs } from 'node:util';
import { parseFaults } from '../functions/kit/faults';
import { manifest } from '../functions/manifest';
import { startPlatform } from '../lib/local/runtime';

const PRINTED_TOKEN_SECONDS = 12 * 60 * 60;
// Locally we run on Node 20 by design (Lambda runs Node 22); the SDK's notice about it is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      memory: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      speed: { type: 'string' },
      faults: { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535, not ${values.port}`);
  const speed = Number(values.speed ?? 1);
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`--speed must be a positive number, not ${values.speed}`);
  process.env.POWERTOOLS_LOG_LEVEL ??= values.quiet ? 'WARN' : 'INFO';
  if (values.faults !== undefined) {
    parseFaults(values.faults);
    process.env.FAULTS = values.faults;
  }

  const started = Date.now();
  const platform = await startPlatform({
    port,
    memory: values.memory,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.host ? { host: values.host } : {}),
    scheduler: { speed },
    // A fresh platform provisions its demo tenant through the saga, so the log shows every step.
    demoTenant: 'saga',
    ...(values.quiet
      ? {}
      : { onRequest: (line) => process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'request', ...line })}\n`) }),
  });
  const owner = await platform.token({
    roles: ['owner'],
    tenantId: platform.demoTenantId,
    userId: 'usr-demo-owner',
    email: 'owner@demo.example',
    expiresInSeconds: PRINTED_TOKEN_SECONDS,
  });
  const admin = await platform.token({
    roles: ['platform-admin'],
    userId: 'usr-platform-admin',
    email: 'admin@platform.example',
    expiresInSeconds: PRINTED_TOKEN_SECONDS,
  });

  process.stdout.write(
    [
      '',
      `Control plane running at ${platform.url}  (ready in ${Date.now() - started} ms; ${values.memory ? 'in memory' : `data in ${values['data-dir'] ?? '.data'}/`})`,
      `  OpenAPI:    ${platform.url}/v1/openapi.json`,
      `  Health:     ${platform.url}/v1/health`,
      `  Demo tenant ${platform.demoTenantId}`,
      `  Jobs:       ${
        platform.scheduler
          ? manifest.jobs.map((job) => `${job.name} ${job.schedule}`).join(', ') + (speed !== 1 ? ` (${speed}x faster)` : '')
          : 'none'
      }`,
      '',
      'Owner of the demo tenant (valid 12 h):',
      `  export TOKEN=${owner}`,
      'Platform admin (valid 12 h):',
      `  export ADMIN_TOKEN=${admin}`,
      '',
      `Try: curl -s -H "Authorization: Bearer $TOKEN" ${platform.url}/v1/me`,
      `More tokens: curl -s -X POST ${platform.url}/local/tokens -H 'content-type: application/json' -d '{"roles":["viewer"]}'`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`\nCould not start the platform: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
