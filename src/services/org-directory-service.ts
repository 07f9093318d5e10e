/**
 * The platform-admin's changes to a client org — name, contact, status and quota ceiling — applied
 * together or not at all (one request, one transaction), each audited by the tenancy room.
 */
import { FaceLedgerError } from '../core/errors.js';
import type { Caller, NewOrg, OrgContact, OrgView, QuotaLimits } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';

export interface OrgChanges {
  name?: string;
  contact?: OrgContact | null;
  status?: 'active' | 'suspended';
  /** The org's ceiling over all its users and keys; null returns to the installation default. */
  quota?: QuotaLimits | null;
}

export class OrgDirectoryService {
  readonly #app: FaceLedgerApp;

  constructor(app: FaceLedgerApp) {
    this.#app = app;
  }

  create(caller: Caller, input: NewOrg & { quota?: QuotaLimits | null }): OrgView {
    const orgs = this.#app.tenancy.forPlatform(caller).orgs;
    return this.#app.store.transaction(() => {
      const { quota, ...org } = input;
      const created = orgs.create(org);
      if (quota) orgs.setQuota(created.id, quota);
      return created;
    });
  }

  update(caller: Caller, orgId: string, changes: OrgChanges): OrgView {
    const orgs = this.#app.tenancy.forPlatform(caller).orgs;
    return this.#app.store.transaction(() => {
      const { status, quota, ...profile } = changes;
      let view = orgs.get(orgId);
      if (!view) throw new FaceLedgerError('NOT_FOUND', 'org not found');
      if (profile.name !== undefined || profile.contact !== undefined) view = orgs.update(orgId, profile);
      if (status === 'suspended') view = orgs.suspend(orgId);
      if (status === 'active') view = orgs.reactivate(orgId);
      if (quota !== undefined) orgs.setQuota(orgId, quota);
      return view;
    });
  }
}
