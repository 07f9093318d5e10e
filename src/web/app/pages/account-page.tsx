/**
 * One's own account: the second factor (set it up, replace the recovery codes, or remove it where the
 * role and org allow) and the password. Every change needs proof — a current code or the current
 * password — and is audited by the server.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { MfaEnrolment, SessionUser } from '../api/types.js';
import { ErrorMessage, Message } from '../components/common.js';
import { QrCode } from '../components/qr-code.js';
import { useTitle } from '../hooks.js';
import { restoreSession } from '../session.js';

function CodeField({ id, value, onInput }: { id: string; value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for={id}>Code from your authenticator app</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autocomplete="one-time-code"
        required
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </div>
  );
}

function RecoveryCodes({ codes }: { codes: readonly string[] }) {
  return (
    <Message kind="warn" title="Your recovery codes (shown once)">
      <ul class="codes mono">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
    </Message>
  );
}

function SecondFactor({ user }: { user: SessionUser }) {
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const run = (work: () => Promise<void>) => {
    setError(null);
    setNote(null);
    work()
      .then(() => setCode(''))
      .catch(setError);
  };
  return (
    <section class="panel" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Second factor</h2>
      <p>
        Status:{' '}
        {user.mfaEnrolled ? <span class="tag ok">enrolled</span> : <span class="tag">not set up</span>}
      </p>
      <ErrorMessage error={error} />
      {note ? <Message kind="ok">{note}</Message> : null}
      {codes ? <RecoveryCodes codes={codes} /> : null}
      {!user.mfaEnrolled && !enrolment ? (
        <button
          type="button"
          onClick={() => run(async () => setEnrolment(await api.post<MfaEnrolment>('/api/v1/me/mfa')))}
        >
          Set up a second factor
        </button>
      ) : null}
      {!user.mfaEnrolled && enrolment ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const r = await api.post<{ recoveryCodes: string[] }>('/api/v1/me/mfa/confirm', {
                code: code.trim(),
              });
              setCodes(r.recoveryCodes);
              setEnrolment(null);
              await restoreSession();
            });
          }}
        >
          <p class="small">
            Scan this code with an authenticator app, or type the secret into it, then enter the code it
            shows.
          </p>
          <QrCode value={enrolment.otpauthUri} label="QR code to add FaceLedger to an authenticator app" />
          <div class="secret-box mono">{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</div>
          <details>
            <summary class="small">Setup link (otpauth URI)</summary>
            <div class="secret-box mono small">{enrolment.otpauthUri}</div>
          </details>
          <CodeField id="mfa-confirm-code" value={code} onInput={setCode} />
          <button type="submit">Confirm</button>
        </form>
      ) : null}
      {user.mfaEnrolled ? (
        <form onSubmit={(e) => e.preventDefault()} aria-label="Manage the second factor">
          <CodeField id="mfa-code" value={code} onInput={setCode} />
          <div class="row">
            <button
              type="button"
              class="secondary"
              disabled={!code.trim()}
              onClick={() =>
                run(async () => {
                  const r = await api.post<{ recoveryCodes: string[] }>('/api/v1/me/mfa/recovery-codes', {
                    code: code.trim(),
                  });
                  setCodes(r.recoveryCodes);
                })
              }
            >
              New recovery codes
            </button>
            <button
              type="button"
              class="danger"
              disabled={!code.trim()}
              onClick={() =>
                run(async () => {
                  await api.del('/api/v1/me/mfa', { code: code.trim() });
                  setNote('The second factor was removed.');
                  await restoreSession();
                })
              }
            >
              Remove the second factor
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  return (
    <form
      class="panel"
      aria-label="Change your password"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setDone(false);
        api
          .post('/api/v1/me/password', { currentPassword: current, newPassword: next })
          .then(() => {
            setDone(true);
            setCurrent('');
            setNext('');
          })
          .catch(setError);
      }}
    >
      <h2>Password</h2>
      <ErrorMessage error={error} />
      {done ? <Message kind="ok">Password changed. Your other sessions were ended.</Message> : null}
      <div class="field">
        <label for="pw-current">Current password</label>
        <input
          id="pw-current"
          type="password"
          autocomplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="pw-new">New password</label>
        <input
          id="pw-new"
          type="password"
          autocomplete="new-password"
          required
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
      </div>
      <button type="submit">Change password</button>
    </form>
  );
}

export function AccountPage({ user }: { user: SessionUser }) {
  useTitle('Your account');
  return (
    <div>
      <h1>Your account</h1>
      <p class="muted">
        {user.email} · {user.roles.join(', ')}
      </p>
      <div class="grid-2">
        <SecondFactor user={user} />
        <Password />
      </div>
    </div>
  );
}
