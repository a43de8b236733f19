/**
 * Import this first in a unit test file: the kit's logger reads its level when its module loads,
 * and imports run before the statements of the importing file.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
