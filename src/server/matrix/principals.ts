/**
 * Who the authorisation matrix calls as (tests only): nobody, the platform-admin, and org A's admin,
 * investigator, auditor and its two API keys — each with the real caller authentication gave it, so
 * "may it act" is asked of `can()` itself. A twin is another principal of the same kind (same roles,
 * same org), minted for requests that change the caller (sign-out, password, second factor) so the
 * principal itself stays usable for the rest of the walk.
 */
import assert from 'node:assert/strict';
import type { Caller, Role } from '../../tenancy/index.js';
import { type Account, addUser, platformAdmin, signIn } from '../../tenancy/test-fixtures.js';
import type { Harness, World } from '../test-harness.js';

export const PRINCIPAL_KINDS = [
  'anonymous',
  'platform-admin',
  'org-admin',
  'investigator',
  'auditor',
  'investigator-key',
  'auditor-key',
] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface Twin {
  token: string;
  caller: Caller;
  /** The twin's account (users only), with its TOTP secret when it has a second factor. */
  account: Account | null;
}

export interface Principal {
  readonly kind: PrincipalKind;
  /** Bearer token (session or API key); null for anonymous. */
  readonly token: string | null;
  readonly caller: Caller | null;
  readonly roles: readonly Role[];
  readonly isKey: boolean;
  readonly twin: () => Promise<Twin>;
}

let serial = 0;

function keyCaller(h: Harness, token: string): Caller {
  const check = h.app.tenancy.auth.authenticateApiKey(token);
  assert.ok(check.ok, 'the API key authenticates');
  return check.caller;
}

export function principalsOf(h: Harness, w: World): Principal[] {
  const orgUser = (
    kind: PrincipalKind,
    member: { caller: Caller; token: string },
    roles: Role[],
  ): Principal => ({
    kind,
    token: member.token,
    caller: member.caller,
    roles,
    isKey: false,
    twin: async () => {
      const twin = await addUser(h.env, w.a.fixture, roles, `twin-${kind}-${++serial}`);
      return { token: twin.token, caller: twin.caller, account: twin };
    },
  });
  const orgKey = (kind: PrincipalKind, token: string, role: 'investigator' | 'auditor'): Principal => ({
    kind,
    token,
    caller: keyCaller(h, token),
    roles: [role],
    isKey: true,
    twin: async () => {
      const created = h.app.tenancy
        .forCaller(w.a.fixture.adminCaller)
        .apiKeys.create({ role, label: `twin ${kind} ${++serial}` });
      return { token: created.token, caller: keyCaller(h, created.token), account: null };
    },
  });
  return [
    {
      kind: 'anonymous',
      token: null,
      caller: null,
      roles: [],
      isKey: false,
      twin: () => Promise.reject(new Error('anonymous has no twin')),
    },
    {
      kind: 'platform-admin',
      token: w.platform.token,
      caller: w.platform.caller,
      roles: ['platform-admin'],
      isKey: false,
      twin: async () => {
        const twin = await platformAdmin(h.env, `twin-root-${++serial}@platform.example`);
        const { token, caller } = await signIn(h.env, twin.admin);
        return { token, caller, account: twin.admin };
      },
    },
    orgUser('org-admin', w.a.admin, ['org-admin']),
    orgUser('investigator', w.a.investigator, ['investigator']),
    orgUser('auditor', w.a.auditor, ['auditor']),
    orgKey('investigator-key', w.a.investigatorKey, 'investigator'),
    orgKey('auditor-key', w.a.auditorKey, 'auditor'),
  ];
}
