/**
 * Sign-in: password, then the second factor when the server asks for one. A first sign-in of an
 * account that must use MFA enrols it here: the secret is shown to add to an authenticator app, a code
 * confirms it, and the recovery codes are shown once before the session starts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, messageOf } from '../api/client.js';
import type { MfaEnrolment, SessionOk, SessionStep } from '../api/types.js';
import { Message } from '../components/common.js';
import { QrCode } from '../components/qr-code.js';
import { useTitle } from '../hooks.js';
import { signedIn } from '../session.js';

type Step =
  | { kind: 'password' }
  | { kind: 'code'; challenge: string }
  | { kind: 'enrol'; challenge: string; enrolment: MfaEnrolment | null }
  | { kind: 'recovery'; session: SessionOk; codes: string[] };

function describe(err: unknown): { title: string; text: string; kind: 'error' | 'warn' } {
  if (err instanceof ApiError) {
    if (err.code === 'LOCKED') return { title: 'Account locked', text: err.message, kind: 'warn' };
    if (err.code === 'QUOTA')
      return {
        title: 'Too many attempts',
        text: `${messageOf(err)}. Wait a moment before trying again.`,
        kind: 'warn',
      };
    if (err.code === 'FORBIDDEN') return { title: 'Account disabled', text: err.message, kind: 'error' };
  }
  return { title: 'Sign-in failed', text: messageOf(err), kind: 'error' };
}

/** Groups a base32 secret in fours so it can be typed into an authenticator by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function LoginPage({ notice }: { notice: string | null }) {
  useTitle('Sign in');
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const focusRef = useRef<HTMLInputElement>(null);
  const continueRef = useRef<HTMLButtonElement>(null);

  // Each step puts the keyboard where the next action is.
  useEffect(() => {
    focusRef.current?.focus();
    continueRef.current?.focus();
  }, [step.kind, step.kind === 'enrol' && step.enrolment !== null]);

  function finish(session: SessionOk) {
    if (session.recoveryCodes?.length) setStep({ kind: 'recovery', session, codes: session.recoveryCodes });
    else signedIn(session.user, session.csrfToken, session.csrfHeader);
  }

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
      // An expired challenge cannot be retried: back to the password.
      if (err instanceof ApiError && /start again/i.test(err.message)) {
        setStep({ kind: 'password' });
        setCode('');
      }
    } finally {
      setBusy(false);
    }
  }

  const submitPassword = (e: Event) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError(new Error('Enter your e-mail and your password.'));
      return;
    }
    void run(async () => {
      const r = await api.post<SessionOk | SessionStep>('/api/v1/session', { email, password }, true);
      setPassword('');
      if (r.status === 'ok') return finish(r);
      setCode('');
      if (r.status === 'mfa-required') return setStep({ kind: 'code', challenge: r.challenge });
      setStep({ kind: 'enrol', challenge: r.challenge, enrolment: null });
      const enrolment = await api.post<MfaEnrolment>(
        '/api/v1/session/mfa/enrolment',
        { challenge: r.challenge },
        true,
      );
      setStep({ kind: 'enrol', challenge: r.challenge, enrolment });
    });
  };

  const submitCode = (e: Event) => {
    e.preventDefault();
    if (step.kind !== 'code' && step.kind !== 'enrol') return;
    const url = step.kind === 'code' ? '/api/v1/session/mfa' : '/api/v1/session/mfa/enrolment/confirm';
    void run(async () => {
      const r = await api.post<SessionOk>(
        url,
        { challenge: step.challenge, code: code.replace(/\s+/g, '') },
        true,
      );
      finish(r);
    });
  };

  const problem = error ? describe(error) : null;

  return (
    <div class="login-wrap">
      <div class="panel">
        <h1>
          Face<span style={{ color: 'var(--accent)' }}>Ledger</span>
        </h1>
        <p class="muted small">Accountable face search. Every search is tied to a case and recorded.</p>
        {notice && step.kind === 'password' && !problem ? (
          <Message kind={/signed out/i.test(notice) ? 'info' : 'warn'} title="Session ended">
            {notice}
          </Message>
        ) : null}
        {problem ? (
          <Message kind={problem.kind} title={problem.title}>
            {problem.text}
          </Message>
        ) : null}

        {step.kind === 'password' ? (
          <form onSubmit={submitPassword} aria-label="Sign in" noValidate>
            <div class="field">
              <label for="login-email">E-mail</label>
              <input
                id="login-email"
                ref={focusRef}
                type="email"
                autocomplete="username"
                required
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="login-password">Password</label>
              <input
                id="login-password"
                type="password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </div>
            <button type="submit" disabled={busy} style={{ width: '100%' }}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        ) : null}

        {step.kind === 'code' ? (
          <form onSubmit={submitCode} aria-label="Second factor">
            <h2>Second factor</h2>
            <p class="muted small">
              Enter the 6-digit code from your authenticator app, or one of your recovery codes.
            </p>
            <div class="field">
              <label for="login-code">Authentication code</label>
              <input
                id="login-code"
                ref={focusRef}
                type="text"
                inputMode="numeric"
                autocomplete="one-time-code"
                required
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </div>
            <div class="row">
              <button type="submit" disabled={busy}>
                {busy ? 'Checking…' : 'Verify'}
              </button>
              <button type="button" class="secondary" onClick={() => setStep({ kind: 'password' })}>
                Back
              </button>
            </div>
          </form>
        ) : null}

        {step.kind === 'enrol' ? (
          <form onSubmit={submitCode} aria-label="Set up the second factor">
            <h2>Set up your second factor</h2>
            <p class="small">
              Your role requires a second factor. Scan this code with an authenticator app (any TOTP app), or
              type the secret key into it, then enter the code it shows.
            </p>
            {step.enrolment ? (
              <>
                <QrCode
                  value={step.enrolment.otpauthUri}
                  label="QR code to add FaceLedger to an authenticator app"
                  testId="totp-qr"
                />
                <div class="label small">
                  <strong>Secret key</strong>
                </div>
                <div class="secret-box mono" data-testid="totp-secret" data-secret={step.enrolment.secret}>
                  {grouped(step.enrolment.secret)}
                </div>
                <details>
                  <summary class="small">Setup link (otpauth URI) for apps that accept one</summary>
                  <div class="secret-box mono small" data-testid="totp-uri">
                    {step.enrolment.otpauthUri}
                  </div>
                </details>
                <div class="field" style={{ marginTop: '0.9rem' }}>
                  <label for="enrol-code">Code from the app</label>
                  <input
                    id="enrol-code"
                    ref={focusRef}
                    type="text"
                    inputMode="numeric"
                    autocomplete="one-time-code"
                    required
                    value={code}
                    onInput={(e) => setCode(e.currentTarget.value)}
                  />
                </div>
                <button type="submit" disabled={busy}>
                  {busy ? 'Checking…' : 'Confirm and continue'}
                </button>
              </>
            ) : (
              <p class="muted">Preparing your secret…</p>
            )}
          </form>
        ) : null}

        {step.kind === 'recovery' ? (
          <div>
            <h2>Save your recovery codes</h2>
            <Message kind="warn" title="Shown only once">
              Each code signs you in once if you lose your authenticator. Store them somewhere safe, away from
              this device.
            </Message>
            <ul class="codes mono" data-testid="recovery-codes">
              {step.codes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
            <button
              type="button"
              ref={continueRef}
              onClick={() => signedIn(step.session.user, step.session.csrfToken, step.session.csrfHeader)}
            >
              I have saved them — continue
            </button>
          </div>
        ) : null}
      </div>
      <p class="small muted" style={{ textAlign: 'center' }}>
        Want your face kept out of searches? <a href="/opt-out">Opt out</a>
      </p>
    </div>
  );
}
