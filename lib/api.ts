/**
 * The HTTP API: one `$default` stage with JSON access logs, and one JWT authorizer that every
 * non-public route uses. Routes are added by the operations stacks (nested stacks), which receive
 * the API and the authorizer from here.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PlatformApiProps {
  apiName: string;
  jwtIssuer: string;
  jwtAudiences: string[];
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Stage-wide throttling; defaults 200 rps steady, 400 burst. */
  throttle?: apigw.ThrottleSettings;
}

/** The access log line: one JSON object per request. */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
  tenantId: '$context.authorizer.claims.tenant_id',
};

export class PlatformApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The JWT authorizer resource, made once here rather than lazily by the first route that binds it. */
  readonly jwtAuthorizerResource: apigw.HttpAuthorizer;
  /** What routes pass as `authorizer`: binds to the one authorizer above, from any (nested) stack. */
  readonly jwtAuthorizer: apigw.IHttpRouteAuthorizer;
  readonly noAuthorizer: apigw.IHttpRouteAuthorizer = new apigw.HttpNoneAuthorizer();

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: 'Cloud control plane API (routes from functions/manifest.ts)',
      // The stage is made below, with access logs and throttling.
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    // HttpJwtAuthorizer (aws-apigatewayv2-authorizers) makes its resource in the scope of the first
    // route that binds it, which would put it in one nested stack and make every other nested
    // stack reach into that one. The authorizer is therefore made here, and routes bind to it by id.
    this.jwtAuthorizerResource = new apigw.HttpAuthorizer(this, 'JwtAuthorizer', {
      httpApi: this.httpApi,
      authorizerName: 'jwt',
      type: apigw.HttpAuthorizerType.JWT,
      identitySource: ['$request.header.Authorization'],
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudiences,
    });
    this.jwtAuthorizer = apigw.HttpAuthorizer.fromHttpAuthorizerAttributes(this, 'JwtRouteAuthorizer', {
      authorizerId: this.jwtAuthorizerResource.authorizerId,
      authorizerType: apigw.HttpAuthorizerType.JWT,
    });
  }

  /** The invoke URL of the `$default` stage. */
  get url(): string {
    return this.stage.url;
  }
}
