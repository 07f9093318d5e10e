/** A secret the server shows once (an API key, a setup link): copy it now, it will not be shown again. */
import { useState } from 'preact/hooks';
import { Message } from './common.js';

export function SecretOnce({ title, value, testId }: { title: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Message kind="warn" title={title}>
      <p style={{ margin: '0.25rem 0' }}>Copy it now: it is shown only once and cannot be read back later.</p>
      <div class="secret-box mono" data-testid={testId}>
        {value}
      </div>
      <button
        type="button"
        class="secondary small"
        onClick={() => {
          void navigator.clipboard
            ?.writeText(value)
            .then(() => setCopied(true))
            .catch(() => setCopied(false));
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </Message>
  );
}

/** A one-time setup link as the server issued it, made absolute so it can be handed over as it is. */
export function SetupLinkOnce({ title, link, testId }: { title: string; link: string; testId?: string }) {
  const value = link.startsWith('/') ? `${location.origin}${link}` : link;
  return <SecretOnce title={title} value={value} {...(testId ? { testId } : {})} />;
}
