/**
 * Helpers for acknowledging cdk-nag findings precisely. cdk-nag 3 names each IAM5 finding after the
 * wildcard it found, with CloudFormation references flattened (`<Resources.Arn>/index/*`,
 * `arn:<AWS::Partition>:logs:...`), and an acknowledgment must name it exactly. The flattening
 * below is cdk-nag's own (lib/utils/flatten-cfn-reference, not exported by the package).
 */
import type { Stack } from 'aws-cdk-lib';

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** The id of the IAM5 finding about `resource` (a string that may hold tokens) in `stack`. */
export function iam5ResourceFinding(stack: Stack, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(resource))}]`;
}
