/** Plans and the quotas and starting credits they give a tenant. Pure data and rules. */
export const QUOTA_NAMES = [
  'instances',
  'vcpus',
  'vpcs',
  'subnetsPerVpc',
  'securityGroupsPerVpc',
  'volumes',
  'volumeGb',
  'buckets',
  'clusters',
  'functions',
  'projects',
] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export const PLAN_NAMES = ['starter', 'pro', 'enterprise'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface Plan {
  quotas: Record<QuotaName, number>;
  /** Credits granted when the tenant is provisioned, a decimal string in USD. */
  startingCredits: string;
}

export const PLANS: Record<PlanName, Plan> = {
  starter: {
    quotas: {
      instances: 10,
      vcpus: 32,
      vpcs: 5,
      subnetsPerVpc: 20,
      securityGroupsPerVpc: 50,
      volumes: 20,
      volumeGb: 2000,
      buckets: 10,
      clusters: 1,
      functions: 50,
      projects: 10,
    },
    startingCredits: '100.00',
  },
  pro: {
    quotas: {
      instances: 100,
      vcpus: 512,
      vpcs: 20,
      subnetsPerVpc: 100,
      securityGroupsPerVpc: 200,
      volumes: 500,
      volumeGb: 50000,
      buckets: 100,
      clusters: 10,
      functions: 500,
      projects: 100,
    },
    startingCredits: '500.00',
  },
  enterprise: {
    quotas: {
      instances: 1000,
      vcpus: 8192,
      vpcs: 100,
      subnetsPerVpc: 200,
      securityGroupsPerVpc: 500,
      volumes: 5000,
      volumeGb: 1000000,
      buckets: 1000,
      clusters: 100,
      functions: 5000,
      projects: 1000,
    },
    startingCredits: '2500.00',
  },
};
