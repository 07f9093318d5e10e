/**
 * First sign-in of a new account: the admin handed over a link with a one-time token in its fragment
 * (never sent to the server in a URL, so never in a log); here the person chooses their password.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { ErrorMessage, Message } from '../components/common.js';
import { useTitle } from '../hooks.js';

function tokenFromHash(): string {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
}

export function SetupPage() {
  useTitle('Set your password');
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  if (done)
    return (
      <div class="login-wrap panel">
        <Message kind="ok" title="Password set">
          You can now sign in. If your role needs a second factor, you will set it up at your first sign-in.
        </Message>
        <a class="button" href="/">
          Sign in
        </a>
      </div>
    );

  return (
    <div class="login-wrap">
      <form
        class="panel"
        aria-label="Set your password"
        onSubmit={(e) => {
          e.preventDefault();
          if (password !== again) return setError(new Error('The two passwords differ.'));
          setBusy(true);
          setError(null);
          api
            .post('/api/v1/setup', { setupToken: token, password }, true)
            .then(() => {
              history.replaceState(null, '', '/setup');
              setDone(true);
            })
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      >
        <h1>Set your password</h1>
        {!token ? <Message kind="warn">This page needs the setup link your admin gave you.</Message> : null}
        <ErrorMessage error={error} />
        <div class="field">
          <label for="setup-password">New password</label>
          <input
            id="setup-password"
            type="password"
            autocomplete="new-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <span class="hint">A long passphrase is best.</span>
        </div>
        <div class="field">
          <label for="setup-again">Repeat it</label>
          <input
            id="setup-again"
            type="password"
            autocomplete="new-password"
            required
            value={again}
            onInput={(e) => setAgain(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={busy || !token}>
          {busy ? 'Saving…' : 'Set password'}
        </button>
      </form>
    </div>
  );
}
