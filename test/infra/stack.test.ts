import { Match, Template } from 'aws-cdk-lib/assertions';
import { manifest } from '../../functions/manifest';
import { tables, type TableSpec } from '../../functions/kit/tables';
import type { PlatformStack } from '../../lib/platform-stack';
import { routeKeysOf, routesOf, synthesizedTemplates, type CfnTemplate } from '../../lib/routes';
import { platformStack } from './synth';

type Resource = NonNullable<CfnTemplate['Resources']>[string];

const declaredTables = Object.values(tables) as TableSpec[];

function resourcesOfType(templates: CfnTemplate[], type: string): Resource[] {
  return templates.flatMap((t) => Object.values(t.Resources ?? {}).filter((r) => r.Type === type));
}

describe('the platform stack (Cognito issuer, dev stage)', () => {
  let stack: PlatformStack;
  let root: Template;
  let all: CfnTemplate[];
  /** The templates of the operations' nested stacks (others hold the event relay, sagas, schedules). */
  let operationTemplates: CfnTemplate[];

  beforeAll(() => {
    // Prepare: the app as `cdk synth` builds it, without bundling.
    stack = platformStack();
    // Act: synthesize the root and nested templates once for the whole file.
    const synthesized = synthesizedTemplates(stack);
    root = Template.fromJSON(synthesized[0]!.template);
    all = synthesized.map((s) => s.template);
    const operationStackPaths = new Set([...stack.operationStacks.values()].map((nested) => nested.node.path));
    operationTemplates = synthesized.filter((s) => operationStackPaths.has(s.stackPath)).map((s) => s.template);
  });

  it.each(declaredTables.map((t) => [t.logicalName, t] as const))('declares table %s with PITR, SSE, TTL and its stream', (logicalName, declared) => {
    // Prepare
    const resources = root.toJSON().Resources as Record<string, Resource>;
    // Act
    const table = resources[logicalName];
    // Assess
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    const props = table!.Properties!;
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props.SSESpecification).toEqual(expect.objectContaining({ SSEEnabled: true }));
    if (declared.timeToLiveAttribute) {
      expect(props.TimeToLiveSpecification).toEqual({ AttributeName: declared.timeToLiveAttribute, Enabled: true });
    } else {
      expect(props.TimeToLiveSpecification).toBeUndefined();
    }
    if (declared.stream) expect(props.StreamSpecification).toEqual({ StreamViewType: declared.stream });
    else expect(props.StreamSpecification).toBeUndefined();
    expect(((props.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? []).map((i) => i.IndexName)).toEqual(
      declared.globalIndexes.map((i) => i.name),
    );
    expect(table!.DeletionPolicy).toBe('Delete');
  });

  it('declares no table beyond the declared ones', () => {
    // Prepare / Act
    const count = resourcesOfType(all, 'AWS::DynamoDB::Table').length;
    // Assess
    expect(count).toBe(declaredTables.length);
  });

  it('makes one Node 22 arm64 function per operation, with the shared environment', () => {
    // Prepare
    const nested = operationTemplates;
    // Act
    const functions = resourcesOfType(nested, 'AWS::Lambda::Function');
    // Assess
    expect(functions).toHaveLength(manifest.operations.length);
    expect(new Set(functions.map((f) => f.Properties!.Description)).size).toBe(manifest.operations.length);
    for (const fn of functions) {
      const props = fn.Properties!;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.MemorySize).toBe(256);
      expect(props.Timeout).toBe(29);
      expect(props.Handler).toBe('index.handler');
      expect((props.LoggingConfig as { LogGroup?: unknown }).LogGroup).toBeDefined();
      const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const t of declaredTables) expect(variables[t.envVar]).toBeDefined();
      expect(variables).toEqual(
        expect.objectContaining({
          STAGE: 'dev',
          POWERTOOLS_SERVICE_NAME: 'control-plane',
          PLATFORM_REGION: expect.anything(),
        }),
      );
      // Source maps parsed at every cold start cost about a quarter of a handler's load.
      expect(variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('gives every operation function its own log group with a retention', () => {
    // Prepare
    const nested = operationTemplates;
    // Act
    const logGroups = resourcesOfType(nested, 'AWS::Logs::LogGroup');
    // Assess
    expect(logGroups).toHaveLength(manifest.operations.length);
    for (const group of logGroups) expect(group.Properties!.RetentionInDays).toEqual(expect.any(Number));
  });

  it('protects the API with a JWT authorizer on the user pool', () => {
    // Assess
    root.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'ProviderURL'] },
        Audience: [{ Ref: Match.stringLikeRegexp('ApiClient') }],
      },
    });
  });

  it('writes JSON access logs with requestId, routeKey, status and integrationError', () => {
    // Prepare
    const stages = root.findResources('AWS::ApiGatewayV2::Stage');
    // Act
    const settings = Object.values(stages).map((s) => (s as Resource).Properties!.AccessLogSettings as { DestinationArn: unknown; Format: string });
    // Assess
    expect(settings).toHaveLength(1);
    expect(settings[0]!.DestinationArn).toBeDefined();
    const format = JSON.parse(settings[0]!.Format) as Record<string, string>;
    expect(format).toEqual(
      expect.objectContaining({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        integrationError: '$context.integrationErrorMessage',
      }),
    );
  });

  it('has each manifest route exactly once across the root and nested stacks', () => {
    // Prepare
    const expected = manifest.operations.map((op) => `${op.method} ${op.path}`).sort();
    // Act
    const synthesized = routeKeysOf(stack);
    // Assess
    expect(synthesized).toEqual(expected);
  });

  it('leaves public routes open and puts the JWT authorizer on all others', () => {
    // Prepare
    const routes = new Map(routesOf(stack).map((r) => [r.routeKey, r]));
    // Act / Assess
    for (const op of manifest.operations) {
      expect(routes.get(`${op.method} ${op.path}`)?.authorizationType).toBe(op.access === 'public' ? 'NONE' : 'JWT');
    }
    const jwtRoutes = resourcesOfType(all, 'AWS::ApiGatewayV2::Route').filter((r) => r.Properties!.AuthorizationType === 'JWT');
    for (const route of jwtRoutes) expect(route.Properties!.AuthorizerId).toBeDefined();
  });

  it('alarms on API 5xx, account-wide Lambda throttles and throttled requests of every table', () => {
    // Prepare
    const alarms = resourcesOfType(all, 'AWS::CloudWatch::Alarm').map((a) => a.Properties!);
    // Act
    const api5xx = alarms.filter((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx');
    const throttles = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Throttles');
    const tableAlarms = alarms.filter((a) => JSON.stringify(a.Metrics ?? '').includes('ThrottledRequests'));
    // Assess
    expect(api5xx).toHaveLength(1);
    expect(throttles).toHaveLength(1);
    expect(throttles[0]!.Dimensions).toBeUndefined();
    expect(tableAlarms).toHaveLength(declaredTables.length);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
  });

  it('notifies through an encrypted topic that refuses plain-HTTP publishing', () => {
    // Assess
    root.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    root.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    root.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets read-only functions write only the catalog partition, and only those that seed it', () => {
    // Prepare
    const policies = Object.entries(root.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
    type Statement = { Action: string | string[]; Condition?: Record<string, Record<string, string[]>> };
    const statementsOf = (match: (id: string) => boolean) =>
      policies.filter(([id]) => match(id)).flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
    // Act
    const seeding = statementsOf((id) => id.includes('ReadOnly') && id.includes('CatalogSeed'));
    const otherReadOnly = statementsOf((id) => id.includes('ReadOnly') && !id.includes('CatalogSeed'));
    // Assess
    const puts = seeding.filter((s) => [s.Action].flat().includes('dynamodb:PutItem'));
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) expect(put.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['CATALOG'] } });
    expect(otherReadOnly.flatMap((s) => [s.Action].flat()).filter((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a))).toEqual([]);
  });

  it('lets only the run-a-job operation invoke the job functions, and hands the jobs operations the manifest\'s jobs', () => {
    // Prepare
    const functions = all.flatMap((template) => Object.values((template.Resources ?? {}) as Record<string, Resource>)).filter((r) => r.Type === 'AWS::Lambda::Function');
    const environmentOf = (description: string) =>
      (functions.find((fn) => String(fn.Properties!.Description).includes(`(${description})`))!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const policies = Object.entries(root.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
    const invokers = policies
      .filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes('lambda:InvokeFunction'))
      .map(([id]) => id);
    // Act
    const start = environmentOf('startJobRun');
    const list = environmentOf('listJobs');
    // Assess
    expect(JSON.parse(String(start.PLATFORM_JOBS)).map((job: { name: string }) => job.name)).toEqual(manifest.jobs.map((job) => job.name));
    expect(start.JOB_FUNCTION_ARNS).toBeDefined();
    expect(list.PLATFORM_JOBS).toBe(start.PLATFORM_JOBS);
    expect(list.JOB_FUNCTION_ARNS).toBeUndefined();
    expect(invokers.length).toBeGreaterThan(0);
    expect(invokers.every((id) => id.includes('JobsReadWrite'))).toBe(true);
  });

  it('generates the cursor HMAC key in Secrets Manager', () => {
    // Assess
    root.resourceCountIs('AWS::SecretsManager::Secret', 1);
    root.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
  });

  it('makes a user pool whose V2 trigger puts tenant and roles into access tokens', () => {
    // Assess
    root.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: Match.anyValue() } },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenant_id', AttributeDataType: 'String' })]),
    });
    const groups = Object.values(root.findResources('AWS::Cognito::UserPoolGroup')).map((g) => (g as Resource).Properties!.GroupName);
    expect(groups.sort()).toEqual(['member', 'owner', 'platform-admin', 'viewer']);
    root.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      WriteAttributes: Match.not(Match.arrayWith(['custom:tenant_id'])),
    });
    root.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
  });
});

describe('the platform stack with an external issuer, prod stage', () => {
  let root: Template;

  beforeAll(() => {
    // Prepare / Act
    const stack = platformStack({
      stage: 'prod',
      externalIssuer: { issuer: 'https://issuer.example.com/', audiences: ['api://control-plane', 'cli'] },
    });
    root = Template.fromJSON(synthesizedTemplates(stack)[0]!.template);
  });

  it('uses the given issuer and audiences and makes no user pool', () => {
    // Assess
    root.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['api://control-plane', 'cli'] },
    });
    root.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('retains the tables and protects them from deletion', () => {
    // Prepare
    const found = root.findResources('AWS::DynamoDB::Table');
    // Act
    const policies = Object.values(found).map((t) => [(t as Resource).DeletionPolicy, (t as Resource).Properties!.DeletionProtectionEnabled]);
    // Assess
    expect(policies).toHaveLength(declaredTables.length);
    for (const policy of policies) expect(policy).toEqual(['Retain', true]);
  });
});
