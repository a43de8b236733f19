/**
 * The root stack of the control plane: tables, cursor key, token issuer, HTTP API, function
 * roles, alarms; and, in nested stacks per domain, one Lambda and one route per operation of the
 * manifest. Everything is read from the manifest and the table declarations, so the cloud, the
 * local gateway and the OpenAPI document cannot drift apart.
 */
import { jobsEnvironmentValue } from '../functions/kit/job';
import { CfnOutput, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { manifest as defaultManifest, manifestProblems, type Manifest } from '../functions/manifest';
import type { AnyOperation } from '../functions/kit/operation';
import { PlatformApi } from './api';
import { Auth, PRE_TOKEN_GENERATION_HANDLER, type ExternalIssuer } from './auth';
import { handlerCode, type BundleOptions, type HandlerCode } from './bundle';
import { DataTables } from './data-tables';
import { EventsStack, RELAY_HANDLER } from './events';
import { FunctionRoles, pascal } from './function-roles';
import { Monitoring } from './monitoring';
import { OperationsStack } from './operations-stack';
import { scheduledFunctionRole, SchedulesStack } from './schedules';
import { sagaFunctionRole, SagasStack, stateMachineHandlers } from './state-machines';

export interface PlatformStackProps extends StackProps {
  /** Deployment stage, e.g. `dev`, `staging`, `prod`. `prod` retains data on stack deletion. */
  stage: string;
  /** Accept tokens of this issuer instead of making a Cognito user pool. */
  externalIssuer?: ExternalIssuer;
  /** The operations to deploy; default the platform's manifest. */
  manifest?: Manifest;
  /** Most operations per nested stack (5 resources each; a stack may hold 500). Default 60. */
  maxOperationsPerStack?: number;
  /** Where bundles are written; default a temporary folder. */
  bundle?: BundleOptions;
}

export const DEFAULT_MAX_OPERATIONS_PER_STACK = 60;

/** Stages whose data and logs outlive the stack. */
export function isProductionStage(stage: string): boolean {
  return /^prod(uction)?$/.test(stage);
}

/**
 * Operations grouped by domain and cut into chunks of at most `max`, sorted by operationId so
 * the same manifest always yields the same nested stacks. Keys: `<Domain>Operations`, then
 * `<Domain>Operations2`, ... (the first chunk keeps its name when a domain grows).
 */
export function operationChunks(operations: readonly AnyOperation[], max: number): Map<string, AnyOperation[]> {
  if (!Number.isInteger(max) || max < 1) throw new Error(`maxOperationsPerStack must be a positive integer, not ${max}`);
  const byDomain = new Map<string, AnyOperation[]>();
  for (const op of operations) byDomain.set(op.domain, [...(byDomain.get(op.domain) ?? []), op]);
  const chunks = new Map<string, AnyOperation[]>();
  for (const domain of [...byDomain.keys()].sort()) {
    const ops = [...byDomain.get(domain)!].sort((a, b) => (a.operationId < b.operationId ? -1 : a.operationId > b.operationId ? 1 : 0));
    for (let i = 0; i * max < ops.length; i++) {
      chunks.set(`${pascal(domain)}Operations${i === 0 ? '' : i + 1}`, ops.slice(i * max, (i + 1) * max));
    }
  }
  return chunks;
}

export class PlatformStack extends Stack {
  readonly stage: string;
  readonly tables: DataTables;
  readonly auth: Auth;
  readonly api: PlatformApi;
  readonly cursorSecret: secretsmanager.Secret;
  readonly monitoring: Monitoring;
  readonly code: HandlerCode;
  /** The event bus, the outbox relay and the schema registry (a nested stack). */
  readonly events: EventsStack;
  /** The recurring jobs on EventBridge Scheduler, and one-time schedule targets (a nested stack). */
  readonly schedules: SchedulesStack;
  /** The sagas: state machines from statemachines/*.asl.json, their Task functions and the rules that start them (a nested stack). */
  readonly sagas: SagasStack;
  /** The nested stacks holding functions and routes, by construct id. */
  readonly operationStacks = new Map<string, OperationsStack>();

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, {
      description: `Cloud control plane (${props.stage})`,
      terminationProtection: isProductionStage(props.stage),
      ...props,
    });
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.stage)) throw new Error(`stage must be lowercase letters, digits and dashes: ${props.stage}`);
    const manifest = props.manifest ?? defaultManifest;
    const problems = manifestProblems(manifest);
    if (problems.length > 0) throw new Error(`The manifest has problems:\n${problems.join('\n')}`);

    this.stage = props.stage;
    Tags.of(this).add('project', 'control-plane');
    Tags.of(this).add('stage', props.stage);
    const production = isProductionStage(props.stage);
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;

    // Every handler, and the Cognito trigger, bundled by one esbuild call (or not at all in tests).
    const handlers = manifest.operations.map((op) => op.handler);
    if (!props.externalIssuer) handlers.push(PRE_TOKEN_GENERATION_HANDLER);
    handlers.push(RELAY_HANDLER);
    handlers.push(...manifest.jobs.map((job) => job.handler));
    handlers.push(...stateMachineHandlers(manifest));
    this.code = handlerCode(this, handlers, props.bundle);

    this.tables = new DataTables(this, 'Tables', { removalPolicy });

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs list cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The cursor HMAC key is not a credential of another system: rotating it only invalidates the list cursors clients hold (they restart the listing), so it is rotated by hand, not on a schedule.',
    });

    this.auth = new Auth(this, 'Auth', {
      ...(props.externalIssuer ? { external: props.externalIssuer } : {}),
      code: this.code,
      removalPolicy,
      logRetention,
    });

    this.api = new PlatformApi(this, 'Api', {
      apiName: `control-plane-${props.stage}`,
      jwtIssuer: this.auth.issuer,
      jwtAudiences: this.auth.audiences,
      logRetention,
      removalPolicy,
    });

    const logGroupPrefix = `/control-plane/${this.stackName}`;
    const roles = new FunctionRoles(this, 'FunctionRoles', {
      tables: this.tables.all(),
      cursorSecret: this.cursorSecret,
      logGroupPrefix,
    });

    // No NODE_OPTIONS=--enable-source-maps: Node then reads and parses a bundle's map (about 750 KiB)
    // at every cold start, about 8 ms on a 33 ms load. The maps ship beside the code, so setting the
    // flag on one function's environment gives readable stack traces while debugging it.
    const environment: Record<string, string> = {
      ...this.tables.environment(),
      PLATFORM_REGION: this.region,
      STAGE: props.stage,
      POWERTOOLS_SERVICE_NAME: 'control-plane',
    };

    this.events = new EventsStack(this, 'Events', {
      stage: props.stage,
      outbox: this.tables.tables.outbox,
      code: this.code,
      events: manifest.events,
      environment,
      logGroupPrefix,
      logRetention,
      removalPolicy,
    });

    this.schedules = new SchedulesStack(this, 'Schedules', {
      stage: props.stage,
      jobs: manifest.jobs,
      code: this.code,
      functionRole: scheduledFunctionRole(this, 'ScheduledFunctionRole', { tables: this.tables.all(), logGroupPrefix }),
      environment,
      logGroupPrefix,
      logRetention,
      removalPolicy,
    });

    this.sagas = new SagasStack(this, 'Sagas', {
      stage: props.stage,
      machines: manifest.stateMachines,
      rules: manifest.eventRules,
      bus: this.events.bus,
      code: this.code,
      functionRole: sagaFunctionRole(this, 'SagaFunctionRole', { tables: this.tables.all(), logGroupPrefix }),
      environment,
      logGroupPrefix,
      logRetention,
      removalPolicy,
    });

    for (const [chunkId, operations] of operationChunks(
      manifest.operations,
      props.maxOperationsPerStack ?? DEFAULT_MAX_OPERATIONS_PER_STACK,
    )) {
      const nested = new OperationsStack(this, chunkId, {
        description: `Operations ${operations[0]!.operationId}..${operations.at(-1)!.operationId} of the ${operations[0]!.domain} domain`,
        operations,
        httpApi: this.api.httpApi,
        jwtAuthorizer: this.api.jwtAuthorizer,
        roleFor: (op) => roles.roleFor(op),
        code: this.code,
        environment,
        cursorSecretArn: this.cursorSecret.secretArn,
        jobsJson: jobsEnvironmentValue(manifest.jobs),
        logGroupPrefix,
        logRetention,
        removalPolicy,
      });
      this.operationStacks.set(chunkId, nested);
      for (const op of operations) {
        if (op.needs?.includes('jobInvoke')) this.schedules.grantJobRuns(nested.functions.get(op.operationId)!);
      }
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      httpApi: this.api.httpApi,
      tables: Object.fromEntries(this.tables.all().map((table) => [table.node.id, table])),
      removalPolicy,
    });

    this.events.alarmTo(this.monitoring.topic);
    this.schedules.alarmTo(this.monitoring.topic);
    this.sagas.alarmTo(this.monitoring.topic);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'JwtIssuer', { value: this.auth.issuer, description: 'Issuer the API accepts tokens from' });
    if (this.auth.userPool && this.auth.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', {
        value: this.auth.userPoolClient.userPoolClientId,
        description: 'Clients sign in with this app client and send the ACCESS token as Bearer',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Subscribe to receive alarms' });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName, description: 'Write EventBridge rules on this bus to receive domain events' });
    new CfnOutput(this, 'SchemaRegistryName', { value: this.events.registry.attrRegistryName, description: 'EventBridge schema registry of the domain events' });
  }
}
