/**
 * Settings every function reads from its environment. Read on use, not at import, so the local
 * runtime and tests can set the environment before the first call.
 */
export const settings = {
  region: (): string => process.env.PLATFORM_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
  stage: (): string => process.env.STAGE ?? 'local',
  dynamodbEndpoint: (): string | undefined => process.env.DYNAMODB_ENDPOINT || undefined,
  tablePrefix: (): string => process.env.TABLE_PREFIX ?? 'ccp-local-',
  cursorSecret: (): string | undefined => process.env.CURSOR_SECRET || undefined,
  cursorSecretArn: (): string | undefined => process.env.CURSOR_SECRET_ARN || undefined,
};
