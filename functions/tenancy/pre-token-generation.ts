/**
 * Cognito pre-token-generation trigger (event version V2_0, which needs the ESSENTIALS or PLUS
 * feature plan). Cognito puts `custom:` attributes in ID tokens only, and the API is called with
 * ACCESS tokens, so this trigger copies the caller's tenant and roles into the access token:
 *
 *   custom:tenant_id  ->  tenant_id  (string; omitted for operators without a tenant)
 *   cognito:groups    ->  roles      (array of the platform's role names; other groups are dropped)
 *
 * The ID token gets the same two claims so both tokens read alike. The kit's `callerFromClaims`
 * reads `tenant_id`/`roles` first and falls back to Cognito's names.
 */
import { ROLES } from '../kit/auth';

type Claim = string | string[];

/** The part of Cognito's V2 event this trigger reads and writes (V2 accepts array-valued claims). */
export interface PreTokenGenerationV2Event {
  version: string;
  triggerSource: string;
  userPoolId: string;
  userName: string;
  request: {
    userAttributes: Record<string, string>;
    groupConfiguration?: { groupsToOverride?: string[] };
    scopes?: string[];
  };
  response: {
    claimsAndScopeOverrideDetails?: {
      idTokenGeneration?: { claimsToAddOrOverride?: Record<string, Claim>; claimsToSuppress?: string[] };
      accessTokenGeneration?: {
        claimsToAddOrOverride?: Record<string, Claim>;
        claimsToSuppress?: string[];
        scopesToAdd?: string[];
        scopesToSuppress?: string[];
      };
    } | null;
  };
}

const KNOWN_ROLES: ReadonlySet<string> = new Set(ROLES);

/** The claims to add for a user: pure, so it is tested without Cognito. */
export function tenantClaims(
  userAttributes: Record<string, string>,
  groups: readonly string[] | undefined,
): Record<string, Claim> {
  const claims: Record<string, Claim> = {
    roles: [...new Set((groups ?? []).filter((group) => KNOWN_ROLES.has(group)))].sort(),
  };
  const tenantId = userAttributes['custom:tenant_id']?.trim();
  if (tenantId) claims.tenant_id = tenantId;
  return claims;
}

export const handler = async (event: PreTokenGenerationV2Event): Promise<PreTokenGenerationV2Event> => {
  const claims = tenantClaims(event.request.userAttributes ?? {}, event.request.groupConfiguration?.groupsToOverride);
  const details = event.response.claimsAndScopeOverrideDetails ?? {};
  event.response.claimsAndScopeOverrideDetails = {
    ...details,
    idTokenGeneration: {
      ...details.idTokenGeneration,
      claimsToAddOrOverride: { ...details.idTokenGeneration?.claimsToAddOrOverride, ...claims },
    },
    accessTokenGeneration: {
      ...details.accessTokenGeneration,
      claimsToAddOrOverride: { ...details.accessTokenGeneration?.claimsToAddOrOverride, ...claims },
    },
  };
  return event;
};
