/**
 * Signing in and out. The browser gets an HttpOnly, SameSite=Strict session cookie plus a CSRF token
 * to echo; machine clients ask for the token in the body (`tokenInBody`) and send it as a bearer.
 * Every failure is audited by the tenancy room; here only the HTTP shape is decided.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FaceLedgerError } from '../../core/errors.js';
import type { IssuedSession, UserView } from '../../tenancy/index.js';
import { CSRF_HEADER, credentialOf, csrfTokenFor, SESSION_COOKIE } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { type RouteDef, route } from '../route.js';
import { toUserOut, userOut } from './account-views.js';

const email = z.string().trim().min(3).max(320);
const code = z.string().trim().min(6).max(32);
const challenge = z.string().min(10).max(200);

/** The signed-in user as the session shows them: a subset of the admin's user view. */
const sessionUser = userOut.pick({
  id: true,
  orgId: true,
  email: true,
  name: true,
  roles: true,
  mfaEnrolled: true,
});

const sessionOut = z.object({
  status: z.literal('ok'),
  user: sessionUser,
  csrfToken: z.string(),
  csrfHeader: z.string(),
  expiresAt: z.string(),
  idleTimeoutSeconds: z.number(),
  token: z.string().optional(),
  recoveryCodes: z.array(z.string()).optional(),
});

const stepOut = z.object({
  status: z.enum(['mfa-required', 'mfa-enrolment-required']),
  challenge: z.string(),
  expiresAt: z.string(),
});

function sessionUserOf(u: UserView): z.infer<typeof sessionUser> {
  return sessionUser.parse(toUserOut(u));
}

function locked(retryAfterSeconds: number): FaceLedgerError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new FaceLedgerError(
    'LOCKED',
    `this account is locked after 5 failed sign-in attempts; try again in ${minutes} minute(s) or ask your organisation's admin to unlock it`,
    { retryAfterSeconds },
  );
}

export function sessionRoutes(ctx: ServerContext): RouteDef[] {
  const auth = ctx.app.tenancy.auth;

  function issue(
    session: IssuedSession,
    reply: FastifyReply,
    tokenInBody: boolean,
    extra: { recoveryCodes?: string[] } = {},
  ): z.infer<typeof sessionOut> {
    void reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.config.secureCookies,
      path: '/',
    });
    const check = auth.authenticateSession(session.token);
    if (!check.ok) throw new FaceLedgerError('INTERNAL', 'a fresh session did not authenticate');
    return {
      status: 'ok',
      user: sessionUserOf(auth.profile(check.caller)),
      csrfToken: csrfTokenFor(session.token),
      csrfHeader: CSRF_HEADER,
      expiresAt: session.expiresAt,
      idleTimeoutSeconds: session.idleTimeoutSeconds,
      ...(tokenInBody ? { token: session.token } : {}),
      ...extra,
    };
  }

  const ip = (request: FastifyRequest) => request.ip;

  return [
    route({
      method: 'POST',
      url: '/api/v1/session',
      summary: 'Sign in with e-mail and password (then a second factor when asked)',
      tags: ['session'],
      access: { kind: 'public', rateLimit: { max: 30, perSeconds: 60 } },
      body: z.strictObject({
        email,
        password: z.string().min(1).max(1024),
        tokenInBody: z.boolean().default(false),
      }),
      response: z.union([sessionOut, stepOut]),
      handler: async ({ body, request, reply }) => {
        const r = await auth.login({ email: body.email, password: body.password, ip: ip(request) });
        if (r.ok) return issue(r.session, reply, body.tokenInBody);
        switch (r.reason) {
          case 'mfa-required':
          case 'mfa-enrolment-required':
            return { status: r.reason, challenge: r.challenge, expiresAt: r.expiresAt };
          case 'locked':
            throw locked(r.retryAfterSeconds);
          case 'disabled':
            throw new FaceLedgerError('FORBIDDEN', 'this account is disabled; ask your organisation’s admin');
          default:
            throw new FaceLedgerError('UNAUTHENTICATED', 'wrong e-mail or password');
        }
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/session/mfa',
      summary: 'Second step of sign-in: a TOTP code or a recovery code',
      tags: ['session'],
      access: { kind: 'public', rateLimit: { max: 30, perSeconds: 60 } },
      body: z.strictObject({ challenge, code, tokenInBody: z.boolean().default(false) }),
      response: sessionOut,
      handler: ({ body, request, reply }) => {
        const r = auth.completeMfa({ challenge: body.challenge, code: body.code, ip: ip(request) });
        if (r.ok) return issue(r.session, reply, body.tokenInBody);
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        if (r.reason === 'invalid-challenge')
          throw new FaceLedgerError(
            'UNAUTHENTICATED',
            'the sign-in step expired; start again with your password',
          );
        if (r.reason === 'disabled') throw new FaceLedgerError('FORBIDDEN', 'this account is disabled');
        throw new FaceLedgerError('UNAUTHENTICATED', 'wrong code');
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/session/mfa/enrolment',
      summary: 'During sign-in: start setting up the required second factor (returns the TOTP secret)',
      tags: ['session'],
      access: { kind: 'public', rateLimit: { max: 30, perSeconds: 60 } },
      body: z.strictObject({ challenge }),
      response: z.object({ secret: z.string(), otpauthUri: z.string() }),
      handler: ({ body }) => {
        const r = auth.startMfaEnrolment({ challenge: body.challenge });
        if (r.ok) return { secret: r.secret, otpauthUri: r.otpauthUri };
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        throw new FaceLedgerError(
          'UNAUTHENTICATED',
          'the sign-in step expired; start again with your password',
        );
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/session/mfa/enrolment/confirm',
      summary: 'During sign-in: confirm the second factor with a code; returns recovery codes once',
      tags: ['session'],
      access: { kind: 'public', rateLimit: { max: 30, perSeconds: 60 } },
      body: z.strictObject({ challenge, code, tokenInBody: z.boolean().default(false) }),
      response: sessionOut,
      handler: ({ body, request, reply }) => {
        const r = auth.confirmMfaEnrolment({ challenge: body.challenge, code: body.code, ip: ip(request) });
        if (r.ok) return issue(r.session, reply, body.tokenInBody, { recoveryCodes: r.recoveryCodes });
        if (r.reason === 'locked') throw locked(r.retryAfterSeconds);
        if (r.reason === 'bad-code') throw new FaceLedgerError('UNAUTHENTICATED', 'wrong code');
        throw new FaceLedgerError(
          'UNAUTHENTICATED',
          'the sign-in step expired; start again with your password',
        );
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/setup',
      summary: 'Set your password with the one-time setup token an admin gave you',
      tags: ['session'],
      access: { kind: 'public', rateLimit: { max: 10, perSeconds: 60 } },
      body: z.strictObject({
        setupToken: z.string().min(10).max(200),
        password: z.string().min(1).max(1024),
      }),
      response: z.object({ status: z.literal('ok') }),
      handler: async ({ body }) => {
        const r = await auth.completeSetup(body);
        if (r.ok) return { status: 'ok' as const };
        if (r.reason === 'weak-password') throw new FaceLedgerError('BAD_INPUT', r.problem);
        throw new FaceLedgerError(
          'UNAUTHENTICATED',
          'this setup link is invalid or has expired; ask your admin for a new one',
        );
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/session',
      summary: 'Who am I: the signed-in user and the CSRF token to send on changes',
      tags: ['session'],
      access: { kind: 'authenticated' },
      response: z.object({
        user: sessionOut.shape.user,
        csrfToken: z.string().nullable(),
        csrfHeader: z.string(),
      }),
      handler: ({ caller, request }) => {
        if (caller.kind !== 'user') throw new FaceLedgerError('BAD_INPUT', 'API keys have no session');
        const cookie = request.cookies[SESSION_COOKIE];
        return {
          user: sessionUserOf(auth.profile(caller)),
          csrfToken: cookie ? csrfTokenFor(cookie) : null,
          csrfHeader: CSRF_HEADER,
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/session',
      summary: 'Sign out (ends this session)',
      tags: ['session'],
      access: { kind: 'authenticated' },
      handler: ({ request, reply }) => {
        const credential = credentialOf(request);
        if (credential && !credential.token.startsWith('flk_')) auth.logout(credential.token);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return undefined;
      },
    }),
  ];
}
