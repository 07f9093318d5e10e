/**
 * The case number and purpose of a `search.run` audit entry are sealed before they reach the log
 * (the log is kept longer than the history and is exported): under the org's data key, or the
 * platform's for a CLI operator's search. Auditors' views open them with `openSearchAuditCase`.
 */
import { PLATFORM_SCOPE, type Vault } from '../../crypto/index.js';

export const AUDIT_FIELDS = {
  caseNumber: 'audit_entries.case_number',
  purpose: 'audit_entries.purpose',
} as const;

export function sealSearchAuditCase(
  vault: Vault,
  orgId: string | null,
  binding: { caseNumber: string; purpose: string },
): { caseNumber: string; purpose: string } {
  const scope = orgId ?? PLATFORM_SCOPE;
  return {
    caseNumber: vault.seal(scope, AUDIT_FIELDS.caseNumber, binding.caseNumber),
    purpose: vault.seal(scope, AUDIT_FIELDS.purpose, binding.purpose),
  };
}

/** Opens the case number and purpose of a `search.run` entry's details (the entry's org, or null). */
export function openSearchAuditCase(
  vault: Vault,
  orgId: string | null,
  details: { caseNumber: string; purpose: string },
): { caseNumber: string; purpose: string } {
  const scope = orgId ?? PLATFORM_SCOPE;
  return {
    caseNumber: vault.openText(scope, AUDIT_FIELDS.caseNumber, details.caseNumber),
    purpose: vault.openText(scope, AUDIT_FIELDS.purpose, details.purpose),
  };
}
