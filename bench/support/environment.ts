/**
 * Imported first by bench/run.ts, before any module that reads these at load time: the logger
 * would print a line per request (the benchmark would measure stdout), and the SDK warns about
 * Node 20 once per client.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Response validation is a test aid, off in production: a benchmark measures production.
delete process.env.VALIDATE_RESPONSES;
// The simulated data plane's boot and stop delays are not the control plane's cost: the capacity
// section waits for each instance transition, and should not wait for a pretend machine.
process.env.SIMULATED_BOOT_SECONDS ??= '0';
process.env.SIMULATED_STOP_SECONDS ??= '0';
