/**
 * What a synthesized stack really declares, read from its CloudFormation templates (the root and
 * every nested stack): for tests that compare the manifest, the cloud and the local gateway.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack, Stage } from 'aws-cdk-lib';

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SynthesizedTemplate {
  /** The construct path of the stack (`control-plane-dev` or `control-plane-dev/PlatformOperations`). */
  stackPath: string;
  nested: boolean;
  template: CfnTemplate;
}

export interface SynthesizedRoute {
  /** `GET /v1/me`, exactly as API Gateway will match it. */
  routeKey: string;
  /** `NONE` or `JWT`. */
  authorizationType: string;
  /** The construct path of the (nested) stack whose template holds the route. */
  stackPath: string;
}

/**
 * The templates of `stack`'s root stack and of all its nested stacks. Synthesizes the app once
 * (later calls reuse the assembly).
 */
export function synthesizedTemplates(stack: Stack): SynthesizedTemplate[] {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`${stack.node.path} is not in an App or Stage`);
  const assembly = stage.synth();
  let root = Stack.of(stack);
  while (root.nestedStackParent) root = root.nestedStackParent;
  const templates: SynthesizedTemplate[] = [
    { stackPath: root.node.path, nested: false, template: assembly.getStackArtifact(root.artifactId).template as CfnTemplate },
  ];
  for (const nested of root.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c))) {
    const file = path.join(assembly.directory, nested.templateFile);
    templates.push({ stackPath: nested.node.path, nested: true, template: JSON.parse(fs.readFileSync(file, 'utf8')) as CfnTemplate });
  }
  return templates;
}

/** Every route of `stack` and of its nested stacks, from the synthesized templates, sorted by route key. */
export function routesOf(stack: Stack): SynthesizedRoute[] {
  return synthesizedTemplates(stack)
    .flatMap(({ stackPath, template }) =>
      Object.values(template.Resources ?? {})
        .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
        .map((resource) => ({
          routeKey: String(resource.Properties?.RouteKey),
          authorizationType: String(resource.Properties?.AuthorizationType ?? 'NONE'),
          stackPath,
        })),
    )
    .sort((a, b) => (a.routeKey < b.routeKey ? -1 : a.routeKey > b.routeKey ? 1 : 0));
}

/** The route keys (`GET /v1/me`) of `stack` and its nested stacks, sorted; duplicates are kept. */
export function routeKeysOf(stack: Stack): string[] {
  return routesOf(stack).map((route) => route.routeKey);
}
