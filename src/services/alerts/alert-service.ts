/**
 * Alerts: rules over what the audit log and the search counts already record, raised right after a
 * search (`afterSearch`, called by the search use case once its `search.run` entry is appended and its
 * quota counted) and by a sweep (`scan`) that reads every new `search.run` and `auth.login.failed`
 * entry once. Both paths may see the same search; deduplication makes that harmless: at most one open
 * alert per (org, kind, subject, UTC day), and nothing that happened before an acknowledgement raises
 * the alert again.
 *
 * Only the org's auditors read (`alerts.read`) and acknowledge (`alerts.ack`) its alerts; an
 * acknowledgement is itself audited. Alerts carry counts, thresholds, times and ids, never a case
 * number, purpose, e-mail or probe image.
 */
import type Database from 'better-sqlite3';
import type { AuditLog } from '../../audit/audit-log.js';
import { sha256Hex } from '../../audit/canonical.js';
import { type Clock, DAY_MS } from '../../core/clock.js';
import { FaceLedgerError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { authorize, type Caller, isGenuineCaller } from '../../tenancy/index.js';
import {
  type AlertKind,
  type AlertRuleOptions,
  type AlertRuleOverrides,
  judgeHours,
  judgeVolume,
  resolveAlertRules,
} from './alert-rules.js';
import { type AlertLogger, AlertWebhook, type AlertWebhookOptions } from './alert-webhook.js';
import { type Alert, type AlertListQuery, AlertsRepo } from './alerts-repo.js';
import { AuditActivity } from './audit-activity.js';

const SCAN_PAGE = 1000;
export const ALERT_LIST_MAX_LIMIT = 500;

export interface AlertServiceDeps {
  db: Database.Database;
  audit: AuditLog;
  clock: Clock;
}

export interface AlertServiceOptions {
  rules?: AlertRuleOverrides;
  /** POST `{ id, orgId, kind, at }` here for every alert raised. */
  webhook?: AlertWebhookOptions;
  logger?: AlertLogger;
  /** How far back the first sweep looks (later sweeps continue from where the last stopped). Default 48. */
  scanLookbackHours?: number;
}

/** What the search use case reports once a search (or compare) has been run and audited. */
export interface SearchFacts {
  caller: Caller;
  orgId: string;
  actor: string;
  at: Date | string;
  probeSha256: string;
  resultCount: number;
  searchId?: string;
}

export interface AlertPage {
  alerts: Alert[];
  nextCursor: string | null;
}

export interface ScanResult {
  /** Audit entries evaluated by this sweep. */
  scanned: number;
  raised: Alert[];
}

interface Candidate {
  orgId: string;
  kind: AlertKind;
  subject: string;
  at: string;
  details: Record<string, unknown>;
}

const INACTIVE_LOGIN_REASONS: ReadonlySet<string> = new Set(['locked', 'disabled', 'expired']);

const stderrLogger: AlertLogger = {
  warn: (fields, message) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...fields })}\n`),
};

export class AlertService {
  readonly rules: AlertRuleOptions;
  readonly #repo: AlertsRepo;
  readonly #activity: AuditActivity;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #log: AlertLogger;
  readonly #webhook: AlertWebhook | undefined;
  readonly #lookbackMs: number;

  constructor(deps: AlertServiceDeps, options: AlertServiceOptions = {}) {
    this.rules = resolveAlertRules(options.rules);
    this.#repo = new AlertsRepo(deps.db);
    this.#activity = new AuditActivity(deps.db);
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#log = options.logger ?? stderrLogger;
    this.#webhook = options.webhook ? new AlertWebhook(options.webhook, this.#log) : undefined;
    const hours = options.scanLookbackHours ?? 48;
    if (!Number.isFinite(hours) || hours <= 0)
      throw new FaceLedgerError('BAD_INPUT', 'scanLookbackHours must be a positive number');
    this.#lookbackMs = hours * 3_600_000;
  }

  /**
   * Evaluates the search rules for one search that has just been run and audited, plus whether the
   * account was still allowed to act. Never throws for an evaluation failure (the search already
   * happened; it is logged instead) — only for a caller that does not match the facts.
   */
  afterSearch(facts: SearchFacts): Alert[] {
    if (
      !isGenuineCaller(facts.caller) ||
      facts.caller.orgId !== facts.orgId ||
      facts.caller.actor !== facts.actor
    )
      throw new FaceLedgerError('INTERNAL', 'afterSearch needs the genuine caller that ran the search');
    const at = toDate(facts.at, 'at').toISOString();
    try {
      const candidates = this.#searchCandidates(
        facts.orgId,
        facts.actor,
        at,
        facts.probeSha256,
        facts.searchId,
      );
      const inactive = this.#repo.inactiveReason(facts.orgId, facts.actor, at);
      if (inactive !== null) {
        candidates.push({
          orgId: facts.orgId,
          kind: 'inactive-account',
          subject: facts.actor,
          at,
          details: {
            source: 'search',
            reason: inactive,
            ...(facts.searchId ? { searchId: facts.searchId } : {}),
          },
        });
      }
      return this.#raise(candidates);
    } catch (err) {
      this.#log.warn(
        { orgId: facts.orgId, error: err instanceof Error ? err.message : String(err) },
        'alert evaluation after a search failed',
      );
      return [];
    }
  }

  /**
   * The sweep: evaluates every `search.run` and `auth.login.failed` entry appended since the last
   * sweep (the first sweep looks back `scanLookbackHours`), up to `now`.
   */
  scan(now: Date = this.#clock.now()): ScanResult {
    const nowIso = now.toISOString();
    const cursor = this.#repo.scanCursor();
    let seq =
      cursor?.seq ?? this.#activity.seqBefore(new Date(now.getTime() - this.#lookbackMs).toISOString());
    const raised: Alert[] = [];
    if (seq === null) return { scanned: 0, raised };
    const volumeSeen = new Set<string>();
    const orgs = new Map<string, boolean>();
    let scanned = 0;
    let last: { seq: number; at: string } | null = null;
    let more = true;
    while (more) {
      const batch = this.#activity.after(seq, SCAN_PAGE);
      more = batch.length === SCAN_PAGE;
      for (const entry of batch) {
        // Entries stamped after `now` wait for the next sweep.
        if (entry.at > nowIso) {
          more = false;
          break;
        }
        seq = entry.seq;
        last = entry;
        scanned++;
        const { orgId, details } = entry;
        if (orgId === null || details === null) continue;
        let known = orgs.get(orgId);
        if (known === undefined) {
          known = this.#repo.orgExists(orgId);
          orgs.set(orgId, known);
        }
        if (!known) continue;
        if (entry.type === 'search.run') {
          const volumeKey = `${orgId} ${entry.actor} ${entry.at.slice(0, 10)}`;
          const candidates = this.#searchCandidates(
            orgId,
            entry.actor,
            entry.at,
            String(details.probeSha256),
            String(details.searchId),
            !volumeSeen.has(volumeKey),
          );
          volumeSeen.add(volumeKey);
          raised.push(...this.#raise(candidates));
        } else if (INACTIVE_LOGIN_REASONS.has(String(details.reason))) {
          raised.push(
            ...this.#raise([
              {
                orgId,
                kind: 'inactive-account',
                subject: this.#failedLoginSubject(orgId, details),
                at: entry.at,
                details: { source: 'login', reason: String(details.reason) },
              },
            ]),
          );
        }
      }
    }
    if (last) this.#repo.saveScanCursor(last.seq, last.at);
    return { scanned, raised };
  }

  /** The caller's org's alerts, newest first (`alerts.read`: the org's auditors). */
  list(
    caller: Caller,
    query: {
      status?: AlertListQuery['status'];
      kind?: AlertKind;
      limit?: number;
      cursor?: string | null;
    } = {},
  ): AlertPage {
    const orgId = this.#orgOf(caller, 'alerts.read');
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > ALERT_LIST_MAX_LIMIT)
      throw new FaceLedgerError('BAD_INPUT', `limit must be 1 to ${ALERT_LIST_MAX_LIMIT}`);
    const alerts = this.#repo.list(orgId, {
      status: query.status ?? 'all',
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.cursor ? { after: query.cursor } : {}),
      limit: limit + 1,
    });
    const more = alerts.length > limit;
    const shown = alerts.slice(0, limit);
    return { alerts: shown, nextCursor: more ? (shown[shown.length - 1]?.id ?? null) : null };
  }

  get(caller: Caller, id: string): Alert {
    const orgId = this.#orgOf(caller, 'alerts.read');
    const alert = this.#repo.get(orgId, id);
    if (!alert) throw new FaceLedgerError('NOT_FOUND', 'alert not found');
    return alert;
  }

  /** Marks one of the caller's org's alerts as seen (`alerts.ack`), and audits that. */
  acknowledge(caller: Caller, id: string): Alert {
    const orgId = this.#orgOf(caller, 'alerts.ack');
    return this.#repo.transaction(() => {
      const alert = this.#repo.get(orgId, id);
      if (!alert) throw new FaceLedgerError('NOT_FOUND', 'alert not found');
      if (alert.acknowledgedAt !== null) throw new FaceLedgerError('CONFLICT', 'alert already acknowledged');
      const at = this.#clock.now().toISOString();
      this.#repo.acknowledge(orgId, id, at, caller.actor);
      this.#audit.append({
        type: 'alert.acknowledged',
        orgId,
        actor: caller.actor,
        details: { alertId: id, kind: alert.kind },
      });
      return { ...alert, acknowledgedAt: at, acknowledgedBy: caller.actor };
    });
  }

  /** Waits for webhook POSTs in flight (shutdown, tests). */
  async drain(): Promise<void> {
    await this.#webhook?.drain();
  }

  #orgOf(caller: Caller, action: 'alerts.read' | 'alerts.ack'): string {
    if (!isGenuineCaller(caller))
      throw new FaceLedgerError('INTERNAL', 'caller was not produced by authentication');
    authorize(caller, action);
    if (caller.orgId === null)
      throw new FaceLedgerError('INTERNAL', 'an org action passed for an org-less caller');
    return caller.orgId;
  }

  /** Volume (unless `withVolume` is false), working hours and probe burst for one search. */
  #searchCandidates(
    orgId: string,
    actor: string,
    at: string,
    probeSha256: string,
    searchId: string | undefined,
    withVolume = true,
  ): Candidate[] {
    const candidates: Candidate[] = [];
    const ref = searchId ? { searchId } : {};
    if (withVolume) {
      const day = at.slice(0, 10);
      const firstDay = dayOffset(day, -this.rules.volume.baselineDays);
      const counts = this.#repo.dailySearchCounts(orgId, actor, firstDay, day);
      const history: number[] = [];
      for (let i = this.rules.volume.baselineDays; i >= 1; i--)
        history.push(counts.get(dayOffset(day, -i)) ?? 0);
      for (const verdict of judgeVolume(counts.get(day) ?? 0, history, this.rules.volume)) {
        candidates.push({
          orgId,
          kind: verdict.kind,
          subject: actor,
          at,
          details: { day, ...verdict.details },
        });
      }
    }
    const hours = judgeHours(new Date(at), this.rules.workingHours);
    if (hours.outside) {
      const { startHour, endHour, timeZone } = this.rules.workingHours;
      candidates.push({
        orgId,
        kind: 'off-hours',
        subject: actor,
        at,
        details: { localTime: hours.localTime, timeZone, startHour, endHour, ...ref },
      });
    }
    const burst = this.#probeBurst(orgId, at, probeSha256);
    if (burst.count >= this.rules.probeBurst.count) {
      candidates.push({
        orgId,
        kind: 'probe-burst',
        subject: `probe:${probeSha256}`,
        at,
        details: {
          count: burst.count,
          windowMinutes: this.rules.probeBurst.windowMinutes,
          actors: burst.actors,
          firstAt: burst.firstAt,
        },
      });
    }
    return candidates;
  }

  /** Searches of this probe in the org within the burst window ending at `at`, from the audit log. */
  #probeBurst(orgId: string, at: string, probeSha256: string) {
    const end = new Date(at).getTime();
    const from = new Date(end - this.rules.probeBurst.windowMinutes * 60_000).toISOString();
    const to = new Date(end + 1).toISOString();
    const same = this.#activity
      .searches(orgId, from, to)
      .filter((e) => e.details?.probeSha256 === probeSha256);
    return {
      count: same.length,
      firstAt: same[0]?.at ?? null,
      actors: [...new Set(same.map((e) => e.actor))].sort(),
    };
  }

  /** Which account a failed login names: the user, or the API key whose hashed id matches. */
  #failedLoginSubject(orgId: string, details: Record<string, unknown>): string {
    if (typeof details.userId === 'string') return `user:${details.userId}`;
    const hash = String(details.usernameSha256);
    const keyId = this.#repo.apiKeyIds(orgId).find((id) => sha256Hex(`apikey:${id}`) === hash);
    return keyId ? `apikey:${keyId}` : `apikey-sha256:${hash}`;
  }

  /** Stores every due candidate (one transaction), then notifies the webhook of the new ones. */
  #raise(candidates: readonly Candidate[]): Alert[] {
    if (candidates.length === 0) return [];
    const createdAt = this.#clock.now().toISOString();
    const raised = this.#repo.transaction(() =>
      candidates.flatMap((c) => {
        const day = c.at.slice(0, 10);
        if (!this.#repo.isDue(c.orgId, c.kind, c.subject, day, c.at)) return [];
        const alert: Alert = {
          id: newId(),
          orgId: c.orgId,
          kind: c.kind,
          subject: c.subject,
          day,
          triggeredAt: c.at,
          createdAt,
          details: c.details,
          acknowledgedAt: null,
          acknowledgedBy: null,
        };
        return this.#repo.insert(alert) ? [alert] : [];
      }),
    );
    for (const alert of raised) {
      this.#webhook?.notify({ id: alert.id, orgId: alert.orgId, kind: alert.kind, at: alert.createdAt });
    }
    return raised;
  }
}

function toDate(value: Date | string, name: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new FaceLedgerError('BAD_INPUT', `${name} must be a valid time`);
  return date;
}

/** `YYYY-MM-DD` moved by whole UTC days. */
function dayOffset(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
