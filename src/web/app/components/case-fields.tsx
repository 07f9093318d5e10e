/**
 * The case number and purpose every search and comparison must carry. Both are required; the page
 * holding them validates before sending (and the server refuses without them regardless).
 */
import { messageOf } from '../api/client.js';
import { purposeLabel } from '../api/lookups.js';

export interface CaseErrors {
  caseNumber?: string | undefined;
  purpose?: string | undefined;
}

/** What is missing, in words a person can act on. */
export function caseErrors(caseNumber: string, purpose: string): CaseErrors {
  const found: CaseErrors = {};
  if (!caseNumber.trim()) found.caseNumber = 'A case number is required: every search is tied to a case.';
  if (!purpose) found.purpose = 'Choose the purpose of this search.';
  return found;
}

export function CaseFields({
  caseNumber,
  purpose,
  purposes,
  purposesError,
  errors,
  onCaseNumber,
  onPurpose,
}: {
  caseNumber: string;
  purpose: string;
  purposes: readonly string[];
  purposesError?: unknown;
  errors: CaseErrors;
  onCaseNumber: (value: string) => void;
  onPurpose: (value: string) => void;
}) {
  return (
    <>
      <div class="field">
        <label for="case-number">Case number</label>
        <input
          id="case-number"
          type="text"
          autocomplete="off"
          maxLength={64}
          required
          aria-required="true"
          aria-invalid={errors.caseNumber ? 'true' : 'false'}
          aria-describedby="case-number-error"
          value={caseNumber}
          onInput={(e) => onCaseNumber(e.currentTarget.value)}
        />
        <div class="error-text" id="case-number-error" data-testid="case-number-error">
          {errors.caseNumber ?? ''}
        </div>
      </div>
      <div class="field">
        <label for="purpose">Purpose</label>
        <select
          id="purpose"
          required
          aria-required="true"
          aria-invalid={errors.purpose ? 'true' : 'false'}
          aria-describedby="purpose-error"
          value={purpose}
          onChange={(e) => onPurpose(e.currentTarget.value)}
        >
          <option value="">— choose —</option>
          {purposes.map((p) => (
            <option key={p} value={p}>
              {purposeLabel(p)}
            </option>
          ))}
        </select>
        <div class="error-text" id="purpose-error">
          {errors.purpose ?? (purposesError ? messageOf(purposesError) : '')}
        </div>
      </div>
    </>
  );
}
