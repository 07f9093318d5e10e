/**
 * The public opt-out: anyone may ask to be kept out of every search. The selfie is analysed and
 * dropped at once; only its face template is kept on the suppression list. The person gets a
 * confirmation code, and — deliberately — no word on whether their face was enrolled anywhere.
 */

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type { Answer } from '../api/types.js';
import { formatTime, Message } from '../components/common.js';
import { ProbeInput } from '../components/probe-input.js';
import { useTitle } from '../hooks.js';

type Receipt = Answer<'/api/v1/opt-out', 'post'>;

type Status = Answer<'/api/v1/opt-out/status', 'post'>;

/** What a person is told of their request's state: never what it matched. */
function describeStatus(s: Status): string {
  const sent = `sent ${formatTime(s.submittedAt)}`;
  switch (s.state) {
    case 'held':
      return `Your request (${sent}) is in force: your face is left out of every search. Photos of you already held are erased after ${formatTime(s.eraseAfter ?? s.submittedAt)}.`;
    case 'erasing':
      return `Your request (${sent}) is in force; photos of you that were held are being erased.`;
    case 'confirmed':
      return `Your request (${sent}) is in force, and photos of you that were held have been erased.`;
    case 'rejected':
      return `Your request (${sent}) was rejected on review: it was found not to be about the sender’s own face.`;
  }
}

/** Anyone holding a confirmation code can check that the request is still on file. */
function StatusCheck() {
  const [code, setCode] = useState('');
  const [answer, setAnswer] = useState<Status | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="panel"
      aria-label="Check an opt-out request"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setAnswer(null);
        api.post<Status>(EP.optOutStatus, { code: code.trim() }, true).then(setAnswer).catch(setError);
      }}
    >
      <h2>Already sent one?</h2>
      <div class="field">
        <label for="opt-out-code">Confirmation code</label>
        <input
          id="opt-out-code"
          type="text"
          autocomplete="off"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </div>
      {answer ? (
        <Message kind={answer.active ? 'ok' : 'error'}>
          <span data-testid="opt-out-state" data-state={answer.state}>
            {describeStatus(answer)}
          </span>
        </Message>
      ) : null}
      {error ? <Message kind="error">{messageOf(error)}</Message> : null}
      <button type="submit" class="secondary" disabled={!code.trim()}>
        Check
      </button>
    </form>
  );
}

export function OptOutPage() {
  useTitle('Opt out');
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [receipt, setReceipt] = useState<Receipt | null>(null);

  useEffect(() => {
    if (!file) return;
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  if (receipt)
    return (
      <div class="center-page panel" data-testid="opt-out-done">
        <h1>Your request is on file</h1>
        <p>{receipt.message}</p>
        <p class="muted small">Your confirmation code — keep it to refer to this request:</p>
        <div class="confirmation-code" data-testid="confirmation-code">
          {receipt.confirmationCode}
        </div>
        <p class="small muted">
          Your photo was not stored; only a face template used to recognise and exclude you.
        </p>
      </div>
    );

  return (
    <div class="center-page" style={{ textAlign: 'left' }}>
      <div class="panel">
        <h1>Opt out of face search</h1>
        <p>
          Send one clear photo of your face. Its face template joins a suppression list: matching faces
          already held are erased, and your face is never returned by a search or enrolled again.
        </p>
        <p class="small muted">
          The photo is analysed in memory and discarded. Only the template is kept, for as long as your
          request stands.
        </p>
        <form
          noValidate
          aria-label="Opt-out request"
          onSubmit={(e) => {
            e.preventDefault();
            if (!file) return setError(new Error('Add a photo of your face first.'));
            if (!confirmed) return setError(new Error('Please confirm that the photo shows you.'));
            const form = new FormData();
            form.set('selfie', file, file.name || 'selfie.jpg');
            setBusy(true);
            setError(null);
            api
              .upload<Receipt>(EP.optOut, form, true)
              .then(setReceipt)
              .catch(setError)
              .finally(() => setBusy(false));
          }}
        >
          <div class="field">
            <ProbeInput
              label="Your photo"
              id="selfie-file"
              onFile={setFile}
              onReject={(m) => setError(new Error(m))}
            />
          </div>
          {url ? (
            <div class="probe-stage" style={{ height: 220, marginBottom: '1rem' }}>
              <img src={url} alt="What you are about to send" style={{ maxHeight: 220, maxWidth: '100%' }} />
            </div>
          ) : null}
          <label class="row" style={{ gap: '0.5rem', marginBottom: '1rem' }} for="opt-out-confirm">
            <input
              id="opt-out-confirm"
              type="checkbox"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.currentTarget.checked)}
            />
            This photo shows me, and I ask to be left out of face searches.
          </label>
          {error ? (
            <Message
              kind={error instanceof ApiError && error.code === 'QUOTA' ? 'warn' : 'error'}
              title={error instanceof ApiError && error.code === 'NO_FACE' ? 'No face found' : 'Not sent'}
            >
              {messageOf(error)}
            </Message>
          ) : null}
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send opt-out request'}
          </button>
        </form>
      </div>
      <StatusCheck />
    </div>
  );
}
