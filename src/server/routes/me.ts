/**
 * Self-service for any signed-in user: their own second factor and password. The tenancy room checks
 * the codes and passwords (wrong ones count towards the lockout, like at sign-in) and audits every
 * change; here its results become HTTP answers. A wrong code or password is a 400, not a 401: the
 * session is still good, only the proof was wrong.
 */
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';

const code = z.string().trim().min(6).max(32);

function locked(retryAfterSeconds: number): FaceLedgerError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new FaceLedgerError(
    'LOCKED',
    `your account is locked after 5 failed attempts; try again in ${minutes} minute(s) or ask your organisation's admin to unlock it`,
    { retryAfterSeconds },
  );
}

const wrongCode = () => new FaceLedgerError('BAD_INPUT', 'wrong code');

const recoveryOut = z.object({
  /** Shown once: each signs in once in place of a code. */
  recoveryCodes: z.array(z.string()),
});

export function meRoutes(ctx: ServerContext): RouteDef[] {
  const auth = ctx.app.tenancy.auth;

  return [
    route({
      method: 'POST',
      url: '/api/v1/me/mfa',
      summary: 'Start setting up a second factor: answers the TOTP secret and otpauth URI (for a QR code)',
      tags: ['me'],
      access: { kind: 'authenticated' },
      response: z.object({ secret: z.string(), otpauthUri: z.string() }),
      handler: ({ caller }) => auth.beginOwnMfaEnrolment(caller),
    }),
    route({
      method: 'POST',
      url: '/api/v1/me/mfa/confirm',
      summary: 'Finish setting up the second factor with a code from the app; answers recovery codes once',
      tags: ['me'],
      access: { kind: 'authenticated' },
      body: z.strictObject({ code }),
      response: recoveryOut,
      handler: ({ caller, body }) => {
        const r = auth.confirmOwnMfaEnrolment(caller, body.code);
        if (r.ok) return { recoveryCodes: r.recoveryCodes };
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        throw new FaceLedgerError(
          'BAD_INPUT',
          'wrong code, or no set-up in progress (start with POST /api/v1/me/mfa)',
        );
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/me/mfa',
      summary:
        'Remove your second factor (needs a current code; refused where your role or org requires one)',
      tags: ['me'],
      access: { kind: 'authenticated' },
      body: z.strictObject({ code }),
      handler: ({ caller, body }) => {
        const r = auth.removeOwnMfa(caller, body.code);
        if (r.ok) return undefined;
        if (r.reason === 'mfa-required')
          throw new FaceLedgerError('FORBIDDEN', 'your role or organisation requires a second factor');
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        throw wrongCode();
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/me/mfa/recovery-codes',
      summary: 'Replace your recovery codes (needs a current code from the app); answers the new ones once',
      tags: ['me'],
      access: { kind: 'authenticated' },
      body: z.strictObject({ code }),
      response: recoveryOut,
      handler: ({ caller, body }) => {
        const r = auth.regenerateRecoveryCodes(caller, body.code);
        if (r.ok) return { recoveryCodes: r.recoveryCodes };
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        throw wrongCode();
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/me/password',
      summary: 'Change your password (your other sessions end)',
      tags: ['me'],
      access: { kind: 'authenticated' },
      body: z.strictObject({
        currentPassword: z.string().min(1).max(1024),
        newPassword: z.string().min(1).max(1024),
      }),
      handler: async ({ caller, body }) => {
        const r = await auth.changePassword(caller, body);
        if (r.ok) return undefined;
        if (r.reason === 'weak-password') throw new FaceLedgerError('BAD_INPUT', r.problem);
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        throw new FaceLedgerError('BAD_INPUT', 'the current password is wrong');
      },
    }),
  ];
}
