/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (or `npm run synth`).
 *
 * Context (cdk.json or `-c key=value`):
 *   stage        deployment stage, default `dev`; `prod` retains tables, user pool and logs
 *   jwtIssuer    accept tokens from this external issuer instead of creating a Cognito user pool
 *   jwtAudience  with jwtIssuer: accepted audiences, comma-separated
 *
 * cdk-nag's AwsSolutions pack runs as a validation plugin: synthesis fails on any finding that is
 * not acknowledged (with a reason) in lib/.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformStack } from '../lib/platform-stack';

const app = new App();

const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

const stage = context('stage') ?? 'dev';
const jwtIssuer = context('jwtIssuer');
const jwtAudience = context('jwtAudience');
if (Boolean(jwtIssuer) !== Boolean(jwtAudience)) {
  throw new Error('Context jwtIssuer and jwtAudience go together: give both (external issuer) or neither (Cognito).');
}

new PlatformStack(app, `control-plane-${stage}`, {
  stage,
  ...(jwtIssuer && jwtAudience
    ? {
        externalIssuer: {
          issuer: jwtIssuer,
          audiences: jwtAudience
            .split(',')
            .map((audience) => audience.trim())
            .filter(Boolean),
        },
      }
    : {}),
  // Environment-agnostic unless the CLI knows the account/region (it does not offline).
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
