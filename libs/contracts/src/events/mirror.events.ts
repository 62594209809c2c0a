import type { Event } from './envelope';

export type MirrorKind = 'concelier' | 'excititor';

export type MirrorDomainConfigured = Event<
  'MirrorDomainConfigured',
  {
    domainId: string;
    displayName: string;
    kind: MirrorKind;
    source: { endpoint: string | null; region: string; bucket: string; prefix: string };
    trustedKeys: Record<string, unknown>[];
    requireAuthentication: boolean;
    maxIndexRequestsPerHour: number;
    maxDownloadRequestsPerHour: number;
    syncIntervalSeconds: number;
    freshnessAlertSeconds: number;
  }
>;
export type MirrorDomainRemoved = Event<'MirrorDomainRemoved', { domainId: string }>;
export type MirrorSyncStarted = Event<'MirrorSyncStarted', { domainId: string; trigger: 'schedule' | 'manual' }>;
export type MirrorSyncCompleted = Event<
  'MirrorSyncCompleted',
  {
    domainId: string;
    objects: number;
    bytes: number;
    downloaded: number;
    durationMs: number;
    generatedAt: string;
    bundleDigest: string;
  }
>;
export type MirrorSyncRejected = Event<'MirrorSyncRejected', { domainId: string; reason: string }>;
export type MirrorSyncFailed = Event<'MirrorSyncFailed', { domainId: string; error: string; attempt: number }>;
export type MirrorFreshnessAlertRaised = Event<
  'MirrorFreshnessAlertRaised',
  { domainId: string; lagSeconds: number; lastSuccessAt: string | null }
>;
export type MirrorFreshnessAlertCleared = Event<'MirrorFreshnessAlertCleared', { domainId: string; lagSeconds: number }>;

export type MirrorEvent =
  | MirrorDomainConfigured
  | MirrorDomainRemoved
  | MirrorSyncStarted
  | MirrorSyncCompleted
  | MirrorSyncRejected
  | MirrorSyncFailed
  | MirrorFreshnessAlertRaised
  | MirrorFreshnessAlertCleared;
