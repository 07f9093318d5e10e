/**
 * The org-admin's settings for the whole organisation: whether every member needs a second factor,
 * and how long search probes and history are kept (within the installation's defaults). Each change
 * is audited by the server.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type { Answer } from '../api/types.js';
import { ErrorMessage, Message } from '../components/common.js';
import { useResource } from '../hooks.js';

type OrgSettings = Answer<'/api/v1/org', 'get'>;
type SearchRetention = Answer<'/api/v1/org/retention', 'get'>;

/** An empty field means "back to the installation default". */
function daysOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

export function OrgSettingsTab() {
  const org = useResource((signal) => api.get<OrgSettings>(EP.org, undefined, signal), []);
  const retention = useResource((signal) => api.get<SearchRetention>(EP.orgRetention, undefined, signal), []);
  const [probeDays, setProbeDays] = useState<string | null>(null);
  const [historyDays, setHistoryDays] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The admin's answer, shown from the click on (a controlled box re-rendered from the profile loaded
  // before would flip back and invite a second click); the box is held while the server takes it.
  const [mfaChosen, setMfaChosen] = useState<boolean | null>(null);
  const [mfaSaving, setMfaSaving] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const done = (what: string, reload: () => void) => () => {
    setNote(what);
    reload();
  };
  const r = retention.data;
  const shown = (value: string | null, days: number, overridden: boolean) =>
    value ?? (overridden ? String(days) : '');

  return (
    <div class="stack">
      <ErrorMessage error={org.error ?? retention.error ?? error} />
      {note ? <Message kind="ok">{note}</Message> : null}
      <div class="grid-2">
        {org.data ? (
          <div class="panel">
            <h2>Second factor</h2>
            <p class="small">
              Admins always need one. Require it of investigators and auditors too, from their next sign-in.
            </p>
            <div class="checks">
              <label>
                <input
                  type="checkbox"
                  data-testid="org-mfa-required"
                  checked={mfaChosen ?? org.data.mfaRequired}
                  disabled={mfaSaving}
                  onChange={(e) => {
                    const mfaRequired = e.currentTarget.checked;
                    setError(null);
                    setNote(null);
                    setMfaChosen(mfaRequired);
                    setMfaSaving(true);
                    api
                      .patch(EP.org, { mfaRequired })
                      .then(() =>
                        setNote(
                          mfaRequired
                            ? 'Everyone now needs a second factor.'
                            : 'Only admins need a second factor now.',
                        ),
                      )
                      .catch((err: unknown) => {
                        setMfaChosen(null);
                        setError(err);
                      })
                      .finally(() => setMfaSaving(false));
                  }}
                />{' '}
                Require a second factor of every member
              </label>
            </div>
          </div>
        ) : null}
        {r ? (
          <form
            class="panel"
            aria-label="Search retention"
            onSubmit={(e) => {
              e.preventDefault();
              setError(null);
              api
                .put(EP.orgRetention, {
                  probeDays: daysOrNull(shown(probeDays, r.probeDays, r.overridden.probeDays)),
                  historyDays: daysOrNull(shown(historyDays, r.historyDays, r.overridden.historyDays)),
                })
                .then(done('Saved the retention periods.', retention.reload))
                .catch(setError);
            }}
          >
            <h2>Search retention</h2>
            <p class="small">
              Probe photos and search history are purged after these many days. Leave a field empty for the
              installation default.
            </p>
            <div class="row">
              <div class="field">
                <label for="ret-probes">Probe photos (days)</label>
                <input
                  id="ret-probes"
                  type="number"
                  min={1}
                  placeholder={`default ${r.defaults.probeDays}`}
                  value={shown(probeDays, r.probeDays, r.overridden.probeDays)}
                  onInput={(e) => setProbeDays(e.currentTarget.value)}
                />
              </div>
              <div class="field">
                <label for="ret-history">History (days)</label>
                <input
                  id="ret-history"
                  type="number"
                  min={1}
                  placeholder={`default ${r.defaults.historyDays}`}
                  value={shown(historyDays, r.historyDays, r.overridden.historyDays)}
                  onInput={(e) => setHistoryDays(e.currentTarget.value)}
                />
              </div>
            </div>
            <button type="submit">Save retention</button>
          </form>
        ) : null}
      </div>
    </div>
  );
}
