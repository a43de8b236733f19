/**
 * Builds the app the way `cdk synth` does (cdk.json's context and feature flags), minus bundling:
 * `aws:cdk:bundling-stacks: []` gives every function the placeholder asset, so a synth takes
 * about a second instead of running esbuild.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PlatformStack, type PlatformStackProps } from '../../lib/platform-stack';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context?: Record<string, unknown>;
};

export function testApp(): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
}

export function platformStack(props: Partial<PlatformStackProps> = {}, app: App = testApp()): PlatformStack {
  const stage = props.stage ?? 'dev';
  return new PlatformStack(app, `control-plane-${stage}`, { stage, ...props });
}
