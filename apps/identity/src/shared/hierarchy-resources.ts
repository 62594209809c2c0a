import { streams, type ResourceRef } from '@siteops/contracts';
import type { EntityManager, EventStore } from '@siteops/event-store';

const DELETED = new Set(['OrganizationDeleted', 'ProjectDeleted', 'SiteDeleted']);

const streamOf = (resource: ResourceRef): string => streams[resource.level](resource.id);

/**
 * Whether a resource of the hierarchy exists and is not deleted, judged from
 * its own stream in the event store (the shared source of truth; identity
 * never reads the hierarchy service's tables). A deletion is always the last
 * event of its stream, so the last event is enough.
 */
export async function resourceIsLive(em: EntityManager, store: EventStore, resource: ResourceRef): Promise<boolean> {
  const stream = streamOf(resource);
  const version = await store.streamVersion(em, stream);
  if (version === 0) return false;
  const [last] = await store.readStream(em, stream, { fromVersion: version - 1 });
  return last !== undefined && !DELETED.has(last.type);
}
