/** The sagas nested stack: state machines from the ASL files, one function per Task, the rules that start them. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { manifest } from '../../functions/manifest';
import { bundleHandlers, placeholderCodeDir } from '../../lib/bundle';
import { synthesizedTemplates, type CfnTemplate } from '../../lib/routes';
import { sagaFunctionRole, SagasStack, stateMachineHandlers } from '../../lib/state-machines';
import { platformStack, testApp } from './synth';

type Resource = NonNullable<CfnTemplate['Resources']>[string];
const ofType = (template: CfnTemplate, type: string): [string, Resource][] =>
  Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);

const ROOT = path.join(__dirname, '..', '..');
const provisioning = manifest.stateMachines.find((machine) => machine.name === 'TenantProvisioning')!;

/** The Task functions of TenantProvisioning (other sagas share the stack). */
const provisioningFunctions = () =>
  ofType(nested, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties!.Description).startsWith('TenantProvisioning saga:'));

let root: CfnTemplate;
let nested: CfnTemplate;

beforeAll(() => {
  const templates = synthesizedTemplates(platformStack());
  root = templates[0]!.template;
  nested = templates.find((t) => t.stackPath.endsWith('/Sagas'))!.template;
});

describe('the sagas stack', () => {
  it('makes one standard state machine per manifest entry, logging ALL events with their data and traced by X-Ray', () => {
    // Act
    const machines = ofType(nested, 'AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties!);
    // Assess
    expect(machines.map((m) => m.StateMachineName).sort()).toEqual(manifest.stateMachines.map((m) => `control-plane-dev-${m.name}`).sort());
    for (const machine of machines) {
      expect(machine).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      const destination = JSON.stringify((machine.LoggingConfiguration as { Destinations: unknown[] }).Destinations);
      const [logGroupId] = ofType(nested, 'AWS::Logs::LogGroup').find(
        ([, r]) => r.Properties!.LogGroupName === `/aws/vendedlogs/states/${String(machine.StateMachineName)}`,
      )!;
      expect(destination).toContain(logGroupId);
    }
  });

  it('builds the definition from the same ASL file, with every placeholder substituted by its own function ARN', () => {
    // Act
    const [, machine] = ofType(nested, 'AWS::StepFunctions::StateMachine').find(([, r]) => String(r.Properties!.StateMachineName).endsWith('TenantProvisioning'))!;
    const substitutions = machine.Properties!.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    // Assess
    expect(machine.Properties!.DefinitionString).toBe(fs.readFileSync(path.join(ROOT, provisioning.definition), 'utf8'));
    expect(Object.keys(substitutions).sort()).toEqual(Object.keys(provisioning.tasks).sort());
    const functions = Object.fromEntries(ofType(nested, 'AWS::Lambda::Function'));
    const targets = Object.values(substitutions).map((value) => value['Fn::GetAtt']);
    expect(new Set(targets.map(([id]) => id)).size).toBe(targets.length);
    for (const [placeholder, module] of Object.entries(provisioning.tasks)) {
      const [id, attribute] = substitutions[placeholder]!['Fn::GetAtt'];
      expect(attribute).toBe('Arn');
      expect(functions[id]?.Properties?.Description).toContain(`(${module})`);
    }
  });

  it('lets each state machine invoke its own Task functions', () => {
    const [, machine] = ofType(nested, 'AWS::StepFunctions::StateMachine').find(([, r]) => String(r.Properties!.StateMachineName).endsWith('TenantProvisioning'))!;
    const roleId = (machine.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policy = JSON.stringify(ofType(nested, 'AWS::IAM::Policy').filter(([, r]) => JSON.stringify(r.Properties!.Roles).includes(roleId)));
    expect(policy).toContain('lambda:InvokeFunction');
    for (const [id] of provisioningFunctions()) expect(policy).toContain(id);
  });

  it('gives every Task one Node 22 arm64 function, which stops before the state times out', () => {
    const functions = provisioningFunctions().map(([, r]) => r.Properties!);
    expect(functions).toHaveLength(Object.keys(provisioning.tasks).length);
    for (const fn of functions) expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 50, Handler: 'index.handler' });
    const definition = JSON.parse(fs.readFileSync(path.join(ROOT, provisioning.definition), 'utf8')) as { States: Record<string, { Type: string; TimeoutSeconds?: number }> };
    for (const state of Object.values(definition.States).filter((s) => s.Type === 'Task')) expect(state.TimeoutSeconds).toBeGreaterThan(50);
  });

  it("starts the saga from the bus with the rule's pattern, retrying, then into an encrypted dead-letter queue", () => {
    // Act
    const [, rule] = ofType(nested, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties!.EventPattern).includes('tenant.created'))!;
    const [[queueId, queue]] = ofType(nested, 'AWS::SQS::Queue') as [[string, Resource]];
    const [machineId] = ofType(nested, 'AWS::StepFunctions::StateMachine').find(([, r]) => String(r.Properties!.StateMachineName).endsWith('TenantProvisioning'))!;
    const target = (rule.Properties!.Targets as Record<string, any>[])[0]!;
    // Assess
    expect(rule.Properties!.EventPattern).toEqual({ source: ['platform.tenancy'], 'detail-type': ['tenant.created'] });
    expect(JSON.stringify(rule.Properties!.EventBusName)).toMatch(/Bus/);
    expect(target.Arn).toEqual({ Ref: machineId });
    expect(target.Input).toBeUndefined();
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    expect(JSON.stringify(target.DeadLetterConfig)).toContain(queueId);
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    expect(ofType(nested, 'AWS::SQS::QueuePolicy').some(([, r]) => JSON.stringify(r.Properties).includes('aws:SecureTransport'))).toBe(true);
  });

  it('alarms on failed executions and undeliverable starts; the Task functions are bundled with the others', () => {
    const alarms = ofType(nested, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
    expect(alarms).toHaveLength(manifest.stateMachines.length + 1);
    expect(alarms.every((a) => (a.AlarmActions as unknown[]).length === 1)).toBe(true);
    expect(JSON.stringify(alarms)).toContain('ExecutionsFailed');
    expect(stateMachineHandlers(manifest)).toEqual(expect.arrayContaining(Object.values(provisioning.tasks)));
    expect(ofType(root, 'AWS::IAM::Role').some(([id]) => id.startsWith('SagaFunctionRole'))).toBe(true);
  });

  it('refuses a definition with a placeholder the manifest does not map', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Refuse');
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const { ApplyQuotasFn: _dropped, ...tasks } = provisioning.tasks;
    // Act
    const make = () =>
      new SagasStack(stack, 'Sagas', {
        stage: 'test',
        machines: [{ ...provisioning, tasks }],
        rules: [],
        bus: new events.EventBus(stack, 'Bus'),
        code: { bundled: false, codeFor: () => lambda.Code.fromAsset(placeholderCodeDir()) },
        functionRole: sagaFunctionRole(stack, 'Role', { tables: [table], logGroupPrefix: '/control-plane/test' }),
        environment: {},
        logGroupPrefix: '/control-plane/test',
        logRetention: logs.RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    // Assess
    expect(make).toThrow(/no handler for \$\{ApplyQuotasFn\}/);
  });

  it('bundles every Task handler of the saga into a CommonJS module that loads and exports its handler', () => {
    // Prepare
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccp-saga-bundle-'));
    try {
      // Act
      const folders = bundleHandlers(Object.values(provisioning.tasks), { outdir });
      // Assess
      for (const module of Object.values(provisioning.tasks)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(folders.get(module)!, 'index.js')) as { handler?: unknown };
        expect([module, typeof loaded.handler]).toEqual([module, 'function']);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
