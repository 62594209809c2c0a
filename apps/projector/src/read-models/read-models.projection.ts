import type { RecordedEvent } from '@siteops/contracts';
import { query, type EntityManager } from '@siteops/event-store';
import { onApiKeyIssued, onApiKeyRevoked } from './api-keys.projection';
import type { ChangeSet } from './change-set';
import { onMemberRoleGranted, onMemberRoleRevoked } from './members.projection';
import { onOrganizationCreated, onOrganizationDeleted, onOrganizationRenamed } from './organizations.projection';
import { ProjectionContext, type RecordedSiteopsEvent } from './projection-context';
import { onProjectCreated, onProjectDeleted, onProjectUpdated } from './projects.projection';
import { onSiteComposeRevised, onSiteCreated, onSiteDeleted, onSiteUpdated } from './sites.projection';
import { onUserRegistered } from './users.projection';

export type EventOutcome = 'applied' | 'ignored';

/**
 * The one dispatch of the read-model projection. Every event type of the
 * platform is named here, handled or deliberately ignored, so a new event in
 * the contracts does not compile until someone decides what it does to the
 * read models. Types unknown to this build (a newer writer, test events)
 * reach `default` at run time and are skipped.
 */
export async function applyEvent(ctx: ProjectionContext, recorded: RecordedEvent): Promise<EventOutcome> {
  const event = recorded as RecordedSiteopsEvent;
  switch (event.type) {
    case 'UserRegistered':
      await onUserRegistered(ctx, event);
      return 'applied';
    case 'ApiKeyIssued':
      await onApiKeyIssued(ctx, event);
      return 'applied';
    case 'ApiKeyRevoked':
      await onApiKeyRevoked(ctx, event);
      return 'applied';
    case 'MemberRoleGranted':
      await onMemberRoleGranted(ctx, event);
      return 'applied';
    case 'MemberRoleRevoked':
      await onMemberRoleRevoked(ctx, event);
      return 'applied';
    case 'OrganizationCreated':
      await onOrganizationCreated(ctx, event);
      return 'applied';
    case 'OrganizationRenamed':
      await onOrganizationRenamed(ctx, event);
      return 'applied';
    case 'OrganizationDeleted':
      await onOrganizationDeleted(ctx, event);
      return 'applied';
    case 'ProjectCreated':
      await onProjectCreated(ctx, event);
      return 'applied';
    case 'ProjectUpdated':
      await onProjectUpdated(ctx, event);
      return 'applied';
    case 'ProjectDeleted':
      await onProjectDeleted(ctx, event);
      return 'applied';
    case 'SiteCreated':
      await onSiteCreated(ctx, event);
      return 'applied';
    case 'SiteUpdated':
      await onSiteUpdated(ctx, event);
      return 'applied';
    case 'SiteComposeRevised':
      await onSiteComposeRevised(ctx, event);
      return 'applied';
    case 'SiteDeleted':
      await onSiteDeleted(ctx, event);
      return 'applied';
    // Not part of these read models (yet): secrets, firewall and effective
    // config get their own projections; deployments, runtime and mirrors are
    // read from their owners' tables.
    case 'PlatformBootstrapped':
    case 'SecretValueSet':
    case 'SecretDeleted':
    case 'SecretRevealed':
    case 'DataKeyCreated':
    case 'DataKeyRewrapped':
    case 'FirewallRuleAdded':
    case 'FirewallRuleRemoved':
    case 'SiteEffectiveConfigChanged':
    case 'DeploymentRequested':
    case 'DeploymentStarted':
    case 'DeploymentStepCompleted':
    case 'DeploymentSucceeded':
    case 'DeploymentFailed':
    case 'DeploymentRolledBack':
    case 'SiteRuntimeObserved':
    case 'MirrorDomainConfigured':
    case 'MirrorDomainRemoved':
    case 'MirrorSyncStarted':
    case 'MirrorSyncCompleted':
    case 'MirrorSyncRejected':
    case 'MirrorSyncFailed':
    case 'MirrorFreshnessAlertRaised':
    case 'MirrorFreshnessAlertCleared':
      return 'ignored';
    default:
      return unknownEvent(event);
  }
}

function unknownEvent(_event: never): EventOutcome {
  return 'ignored';
}

export interface PageOutcome {
  applied: number;
  ignored: number;
}

/**
 * Serialises writers of the read models across processes. The live leader
 * takes it for each page and a rebuild for its whole transaction, so a
 * `rebuild` run from the command line while a projector is running never
 * interleaves with a live page: the page waits, then fails its checkpoint
 * compare-and-set and re-reads from the rebuilt checkpoint.
 */
export async function lockReadModels(tx: EntityManager): Promise<void> {
  await query(tx, "SELECT pg_advisory_xact_lock(hashtextextended('siteops-read-models-writer', 0))", [], { prepare: true });
}

/** Applies a page of events in order inside `tx`; the caller commits it with the checkpoint. */
export async function projectEvents(
  tx: EntityManager,
  events: readonly RecordedEvent[],
  changes: ChangeSet | undefined,
): Promise<PageOutcome> {
  const ctx = new ProjectionContext(tx, changes);
  const outcome: PageOutcome = { applied: 0, ignored: 0 };
  for (const event of events) outcome[await applyEvent(ctx, event)] += 1;
  return outcome;
}
