/**
 * Every DynamoDB key of the networking domain (Resources table, tenant partition `T#<tenant>`).
 * Shared by the VPC, subnet, address, internet gateway, security group and route table
 * repositories, so that one place says what each item is called.
 *
 *   VPC#<id>                       a VPC            gsi1 T#<t>#VPC     <createdAt>#<id>
 *   SUBNET#<id>                    a subnet         gsi1 T#<t>#SUBNET  <createdAt>#<id>   gsi2 T#<t>#VPC#<vpc>#SUBNET  <cidr sortable>
 *   ADDR#<subnetId>#<ip>           an allocated private address of the subnet
 *   SG#<id>                        a security group gsi1 T#<t>#SG      <createdAt>#<id>   gsi2 T#<t>#VPC#<vpc>#SG      <createdAt>#<id>
 *   SGNAME#<vpcId>#<lower name>    a group name, unique in its VPC
 *   RTB#<id>                       a route table    gsi1 T#<t>#RTB     <createdAt>#<id>   gsi2 T#<t>#VPC#<vpc>#RTB     <createdAt>#<id>
 *   RTBASSOC#<subnetId>            the subnet's (single) route table association
 *   IGW#<id>                       an internet gateway gsi1 T#<t>#IGW  <createdAt>#<id>
 *   DEFAULTVPC                     the default VPC the provisioning saga made, with the ids of its parts
 */
import { tableName } from '../kit/tables';

export const networkTable = () => tableName('resources');
export const partition = (tenantId: string) => `T#${tenantId}`;

export const vpcKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `VPC#${id}` });
export const subnetKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `SUBNET#${id}` });
export const addressKey = (tenantId: string, subnetId: string, ip: string) => ({ pk: partition(tenantId), sk: `ADDR#${subnetId}#${ip}` });
export const addressPrefix = (subnetId: string) => `ADDR#${subnetId}#`;
export const securityGroupKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `SG#${id}` });
export const securityGroupNameKey = (tenantId: string, vpcId: string, name: string) => ({
  pk: partition(tenantId),
  sk: `SGNAME#${vpcId}#${name.toLowerCase()}`,
});
export const routeTableKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `RTB#${id}` });
export const associationKey = (tenantId: string, subnetId: string) => ({ pk: partition(tenantId), sk: `RTBASSOC#${subnetId}` });
export const internetGatewayKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `IGW#${id}` });
export const defaultVpcKey = (tenantId: string) => ({ pk: partition(tenantId), sk: 'DEFAULTVPC' });

/** The list index (gsi1) of a resource type: every resource of the type in the tenant, oldest first. */
export const listIndexKeys = (tenantId: string, type: 'VPC' | 'SUBNET' | 'SG' | 'RTB' | 'IGW', createdAt: string, id: string) => ({
  gsi1pk: `${partition(tenantId)}#${type}`,
  gsi1sk: `${createdAt}#${id}`,
});

/** The by-VPC index (gsi2) partition of a VPC's children of a type. */
export const byVpcPartition = (tenantId: string, vpcId: string, type: 'SUBNET' | 'SG' | 'RTB') => `${partition(tenantId)}#VPC#${vpcId}#${type}`;

/** The attributes every networking item keeps internally and no response shows. */
/** Keys, and a route table's set of its associations (read through the repository, never shown raw). */
export const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'associationSet'] as const;

export function stripKeys<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const name of INTERNAL_ATTRIBUTES) delete copy[name];
  return copy as T;
}
