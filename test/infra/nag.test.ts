import { NestedStack, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { platformStack, testApp } from './synth';

/** Unacknowledged AwsSolutions findings (errors and warnings) anywhere under the app, nested stacks included. */
function findings(scope: Parameters<AwsSolutionsChecks['validateScope']>[0]): { rule: string; severity?: string; paths: (string | undefined)[] }[] {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    paths: v.violatingResources.map((r) => r.constructPath),
  }));
}

describe('cdk-nag AwsSolutions', () => {
  it('finds an unacknowledged problem inside a nested stack (the check itself works)', () => {
    // Prepare: a topic that accepts plain-HTTP publishing, one nested stack down.
    const app = testApp();
    const nested = new NestedStack(new Stack(app, 'Control'), 'Nested');
    new sns.Topic(nested, 'Topic');
    app.synth();
    // Act
    const found = findings(app);
    // Assess
    expect(found).toEqual([{ rule: 'AwsSolutions-SNS3', severity: 'error', paths: ['Control/Nested/Topic/Resource'] }]);
  });

  it('reports nothing unacknowledged for the platform stack with a Cognito user pool', () => {
    // Prepare
    const stack = platformStack({ stage: 'dev' });
    const app = stack.node.root as ReturnType<typeof testApp>;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Act: synthesis runs the plugin the way `cdk synth` does, and throws on any finding.
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    // Assess: the list first, so a failure names the rules and constructs.
    expect(findings(app)).toEqual([]);
    expect(failure).toBeUndefined();
  });

  it('reports nothing unacknowledged for the platform stack with an external issuer', () => {
    // Prepare
    const stack = platformStack({ stage: 'prod', externalIssuer: { issuer: 'https://issuer.example.com/', audiences: ['api'] } });
    const app = stack.node.root as ReturnType<typeof testApp>;
    // Act
    app.synth();
    const found = findings(app);
    // Assess
    expect(found).toEqual([]);
  });
});
