// The audit trail: filtered, newest-first pages, the chain check, and export links.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ActorType, AuditEventDto, AuditQuery, AuditVerifyResult } from '../../server/contract/index.js';
import type { AuditExportFormat } from '../api/audit.js';
import { useApi } from '../api/index.js';
import { useLatestLoad } from '../composables/use-latest-load.js';

/** How many events one page holds. */
export const AUDIT_PAGE_SIZE = 50;

/** The filters as the form edits them; dates are Date objects, blank text means "any". */
export interface AuditFilters {
  from: Date | null;
  to: Date | null;
  action: string;
  actorType: ActorType | '';
  actor: string;
  subject: string;
}

/** Filters that match everything. */
export function emptyAuditFilters(): AuditFilters {
  return { from: null, to: null, action: '', actorType: '', actor: '', subject: '' };
}

/** The API query for a set of filters: ISO times, trimmed text, blanks left out. */
export function auditQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = {};
  if (filters.from) query.from = filters.from.toISOString();
  if (filters.to) query.to = filters.to.toISOString();
  const action = filters.action.trim();
  if (action) query.action = action;
  if (filters.actorType) query.actorType = filters.actorType;
  const actor = filters.actor.trim();
  if (actor) query.actor = actor;
  const subject = filters.subject.trim();
  if (subject) query.subject = subject;
  return query;
}

/** The pattern the server accepts for an action filter (a full code, or a prefix ending in a dot). */
export const ACTION_FILTER_PATTERN = /^[a-z0-9_.]+$/;

/** The audit store: the events loaded so far under the applied filters, and the last chain check. */
export const useAuditStore = defineStore('audit', () => {
  const api = useApi();
  const items = ref<AuditEventDto[]>([]);
  const nextCursor = ref<string | null>(null);
  const applied = ref<AuditQuery>({});
  const loading = ref(false);
  const loaded = ref(false);
  const verifying = ref(false);
  const verification = ref<AuditVerifyResult | null>(null);
  const loads = useLatestLoad(loading);

  const hasMore = computed(() => nextCursor.value !== null);

  /** Loads the newest events matching `filters`, replacing the list. */
  async function apply(filters: AuditFilters): Promise<void> {
    applied.value = auditQuery(filters);
    await reload();
  }

  async function reload(): Promise<void> {
    await loads.run(
      () => api.audit.list({ ...applied.value, limit: AUDIT_PAGE_SIZE }),
      (page) => {
        items.value = page.items;
        nextCursor.value = page.nextCursor;
        loaded.value = true;
      },
    );
  }

  /** Appends the next (older) page. */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor) return;
    await loads.run(
      () => api.audit.list({ ...applied.value, cursor, limit: AUDIT_PAGE_SIZE }),
      (page) => {
        items.value = [...items.value, ...page.items];
        nextCursor.value = page.nextCursor;
      },
    );
  }

  /** Checks the whole hash chain on the server. */
  async function verify(): Promise<AuditVerifyResult> {
    verifying.value = true;
    try {
      verification.value = await api.audit.verify();
      return verification.value;
    } finally {
      verifying.value = false;
    }
  }

  /** The download address of every event under the applied filters. */
  function exportUrl(format: AuditExportFormat): string {
    return api.audit.exportUrl(format, applied.value);
  }

  return {
    items,
    nextCursor,
    applied,
    loading,
    loaded,
    verifying,
    verification,
    hasMore,
    apply,
    reload,
    loadMore,
    verify,
    exportUrl,
  };
});
