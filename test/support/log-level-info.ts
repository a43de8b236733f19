// Imported first by tests that read log lines: the logger takes its level when its module loads,
// and Powertools resets it to that level on every invocation, so setLogLevel() would not last.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
