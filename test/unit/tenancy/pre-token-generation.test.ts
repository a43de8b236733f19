import { handler, tenantClaims, type PreTokenGenerationV2Event } from '../../../functions/tenancy/pre-token-generation';

function event(userAttributes: Record<string, string>, groups?: string[]): PreTokenGenerationV2Event {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    userPoolId: 'us-east-1_pool',
    userName: 'alice',
    request: { userAttributes, ...(groups ? { groupConfiguration: { groupsToOverride: groups } } : {}) },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

describe('pre-token-generation trigger', () => {
  it('copies custom:tenant_id and the role groups into the access token', async () => {
    // Prepare
    const input = event({ sub: 's', 'custom:tenant_id': 'tn-01j' }, ['owner', 'member']);
    // Act
    const out = await handler(input);
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      tenant_id: 'tn-01j',
      roles: ['member', 'owner'],
    });
    expect(out.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride).toEqual({
      tenant_id: 'tn-01j',
      roles: ['member', 'owner'],
    });
  });

  it('drops groups that are not platform roles and omits a missing tenant', () => {
    // Act
    const claims = tenantClaims({ sub: 's' }, ['platform-admin', 'beta-testers']);
    // Assess
    expect(claims).toEqual({ roles: ['platform-admin'] });
  });

  it('keeps claims another part of the response already set', async () => {
    // Prepare
    const input = event({ 'custom:tenant_id': 't' }, []);
    input.response.claimsAndScopeOverrideDetails = { accessTokenGeneration: { claimsToAddOrOverride: { plan: 'pro' }, scopesToAdd: ['x'] } };
    // Act
    const out = await handler(input);
    // Assess
    expect(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration).toEqual({
      claimsToAddOrOverride: { plan: 'pro', tenant_id: 't', roles: [] },
      scopesToAdd: ['x'],
    });
  });
});
