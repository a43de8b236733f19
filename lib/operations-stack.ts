/**
 * A nested stack holding the functions and routes of up to `maxOperationsPerStack` operations of
 * one domain. Per operation: a function, its log group, its invoke permission, an integration
 * and a route: 5 CloudFormation resources, so 60 operations stay well under the 500 limit.
 */
import { NestedStack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { JOBS_ENV } from '../functions/kit/job';
import type { AnyOperation } from '../functions/kit/operation';
import { LATEST_RUNTIME_ACK } from './function-defaults';
import { operationLogGroupName } from './function-roles';
import { functionLogGroup, handlerFunction, type FunctionStackProps } from './shared-constructs';

export interface OperationsStackProps extends FunctionStackProps {
  operations: AnyOperation[];
  httpApi: apigw.HttpApi;
  /** The JWT authorizer for every route whose operation is not `public`. */
  jwtAuthorizer: apigw.IHttpRouteAuthorizer;
  roleFor: (op: AnyOperation) => iam.IRole;
  /** Added to the environment of operations that declare `needs: ['cursorSecret']`. */
  cursorSecretArn: string;
  /** `PLATFORM_JOBS` of operations that declare `needs: ['jobs']`: the manifest's jobs as JSON. */
  jobsJson: string;
}

export class OperationsStack extends NestedStack {
  readonly functions = new Map<string, lambda.Function>();
  readonly routes = new Map<string, apigw.HttpRoute>();

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    Validations.of(this).acknowledge(LATEST_RUNTIME_ACK);
    for (const op of props.operations) {
      const fn = handlerFunction(this, op.operationId, {
        module: op.handler,
        code: props.code,
        description: `${op.method} ${op.path} (${op.operationId})`,
        role: props.roleFor(op),
        logGroup: functionLogGroup(this, op.operationId, operationLogGroupName(props.logGroupPrefix, op), props),
        environment: {
          ...props.environment,
          ...(op.needs?.includes('cursorSecret') ? { CURSOR_SECRET_ARN: props.cursorSecretArn } : {}),
          ...(op.needs?.includes('jobs') ? { [JOBS_ENV]: props.jobsJson } : {}),
        },
      });
      const route = new apigw.HttpRoute(this, `${op.operationId}Route`, {
        httpApi: props.httpApi,
        routeKey: apigw.HttpRouteKey.with(op.path, op.method as apigw.HttpMethod),
        integration: new HttpLambdaIntegration(`${op.operationId}Integration`, fn),
        authorizer: op.access === 'public' ? new apigw.HttpNoneAuthorizer() : props.jwtAuthorizer,
      });
      if (op.access === 'public') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${op.operationId} is declared public in the manifest (health/OpenAPI document): callers have no token yet.`,
        });
      }
      this.functions.set(op.operationId, fn);
      this.routes.set(op.operationId, route);
    }
  }
}
