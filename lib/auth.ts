/**
 * Who signs the tokens the API accepts: a Cognito user pool made here, or an external issuer
 * (context `jwtIssuer` + `jwtAudience`). Either way the API's JWT authorizer needs an issuer URL
 * and audiences; that is all this construct hands on.
 *
 * Cognito puts `custom:` attributes in ID tokens only, and clients call the API with ACCESS tokens,
 * so a pre-token-generation trigger (event version V2_0, needs the ESSENTIALS feature plan or
 * higher) copies `custom:tenant_id` into a `tenant_id` claim and the groups into a `roles` claim.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PLATFORM_ADMIN, TENANT_ROLES } from '../functions/kit/auth';
import type { HandlerCode } from './bundle';
import { LAMBDA_HANDLER } from './bundle';
import { functionDefaults, LATEST_RUNTIME_ACK } from './function-defaults';

export const PRE_TOKEN_GENERATION_HANDLER = 'tenancy/pre-token-generation';

export interface ExternalIssuer {
  /** The `iss` of the tokens, e.g. `https://example.eu.auth0.com/`. */
  issuer: string;
  /** Accepted `aud` (or, for Cognito access tokens, `client_id`) values. */
  audiences: string[];
}

export interface AuthProps {
  /** An external issuer; when absent a Cognito user pool is made. */
  external?: ExternalIssuer;
  code: HandlerCode;
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
}

/** Lower precedence wins when a user is in several groups (Cognito picks its `cognito:preferred_role`). */
const GROUP_PRECEDENCE: Record<string, number> = { [PLATFORM_ADMIN]: 0, owner: 10, member: 20, viewer: 30 };

export class Auth extends Construct {
  readonly issuer: string;
  readonly audiences: string[];
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  readonly preTokenGeneration?: lambda.Function;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    if (props.external) {
      if (!/^https:\/\//.test(props.external.issuer)) throw new Error(`jwtIssuer must be an https URL: ${props.external.issuer}`);
      if (props.external.audiences.length === 0) throw new Error('jwtAudience must name at least one audience');
      this.issuer = props.external.issuer;
      this.audiences = props.external.audiences;
      return;
    }

    const retained = props.removalPolicy === RemovalPolicy.RETAIN;
    const userPool = new cognito.UserPool(this, 'UserPool', {
      // V2_0 pre-token-generation events (access-token claims) need ESSENTIALS or PLUS.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // Users are created by the platform when a tenant onboards them, never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // Mutable so an operator can move a user; clients may not write it (see writeAttributes).
        tenant_id: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: retained,
      removalPolicy: props.removalPolicy,
    });

    for (const role of [...TENANT_ROLES, PLATFORM_ADMIN]) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: userPool.userPoolId,
        groupName: role,
        precedence: GROUP_PRECEDENCE[role] ?? 100,
        description: role === PLATFORM_ADMIN ? 'Operators of the platform' : `Tenant ${role}`,
      });
    }

    this.userPoolClient = userPool.addClient('ApiClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('tenant_id'),
      // Not custom:tenant_id: a user must not be able to move themselves into another tenant.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });

    const logGroup = new logs.LogGroup(this, 'PreTokenGenerationLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'PreTokenGenerationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cognito pre-token-generation trigger: writes its own logs, nothing else',
    });
    logGroup.grantWrite(role);
    const trigger = new lambda.Function(this, 'PreTokenGeneration', {
      ...functionDefaults(),
      description: 'Copies custom:tenant_id and the groups into tenant_id/roles claims of access tokens',
      code: props.code.codeFor(PRE_TOKEN_GENERATION_HANDLER),
      handler: LAMBDA_HANDLER,
      role,
      logGroup,
      timeout: Duration.seconds(5),
    });
    Validations.of(trigger).acknowledge(LATEST_RUNTIME_ACK);
    userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger, cognito.LambdaVersion.V2_0);

    Validations.of(userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is OPTIONAL (TOTP): tenants decide whether their users must enrol; forcing it pool-wide would lock out API-only operator accounts created by automation.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'ESSENTIALS is the plan that supports V2 pre-token-generation (access-token claims); PLUS (threat protection) is a per-MAU cost decision left to the operator.',
      },
    );

    this.userPool = userPool;
    this.preTokenGeneration = trigger;
    this.issuer = userPool.userPoolProviderUrl;
    // Cognito access tokens carry the app client in `client_id`, which the JWT authorizer matches
    // against the audience list.
    this.audiences = [this.userPoolClient.userPoolClientId];
  }
}
