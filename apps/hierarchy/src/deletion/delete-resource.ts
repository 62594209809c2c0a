import { DomainError, streams, type CommandMetadata, type Level, type ResourceRef, type WriteResult } from '@siteops/contracts';
import type { AppendResult, EntityManager, EventStore } from '@siteops/event-store';
import { appendContext, checkPrecondition, loadAggregate, written, type Loaded } from '@siteops/event-store';
import { organizationDecider } from '../organizations/organization.decider';
import { projectDecider } from '../projects/project.decider';
import { deleteNodes, lockDescendants, lockNode, notFoundError, type HierarchyNode } from '../shared/hierarchy-nodes';
import { siteDecider } from '../sites/site.decider';

export interface DeleteRequest {
  level: Level;
  id: string;
  /** Delete the children too, instead of refusing with `has_children`. */
  cascade: boolean;
  expectedVersion: number | undefined;
  /** For sites: remove named volumes as well (SPEC §5). Cascaded sites keep theirs. */
  purgeVolumes: boolean;
}

export type DeleteResult = WriteResult & { deleted: ResourceRef[] };

interface Deletion {
  node: HierarchyNode;
  streamId: string;
  loaded: Loaded<unknown>;
  events: { type: string; data: unknown }[];
}

/**
 * Deletes a resource, and with `cascade` everything below it, in one
 * transaction:
 * 1. lock the resource's row FOR UPDATE: from here on no child can be
 *    created under it, and a child being created right now is waited for
 *    (and then seen in step 3);
 * 2. check the caller's expected version (412);
 * 3. lock the descendants, projects then sites; any, without cascade → 409;
 * 4. decide one deletion event per resource with its own decider;
 * 5. append them children first — sites, then projects, then the resource —
 *    one stream after the other, so their positions keep that order for
 *    every reader;
 * 6. drop the rows, which frees the names.
 */
export async function deleteResource(
  tx: EntityManager,
  store: EventStore,
  request: DeleteRequest,
  metadata: CommandMetadata,
): Promise<DeleteResult> {
  const root = await lockNode(tx, request.level, request.id, 'update');
  if (!root) throw notFoundError(request.level, request.id);
  const rootDeletion = await decideDeletion(tx, store, root, request, metadata);
  checkPrecondition(rootDeletion.streamId, request.expectedVersion, rootDeletion.loaded.version);

  const { projects, sites } = await lockDescendants(tx, root);
  if (!request.cascade && projects.length + sites.length > 0) {
    const what = [plural(projects.length, 'project'), plural(sites.length, 'site')].filter(Boolean).join(' and ');
    throw new DomainError('has_children', `The ${root.level} "${root.name}" still has ${what}; delete them first or cascade`);
  }
  const deletions: Deletion[] = [];
  for (const node of [...sites, ...projects]) deletions.push(await decideDeletion(tx, store, node, { ...request, purgeVolumes: false }, metadata));
  deletions.push(rootDeletion);

  const context = appendContext(metadata);
  const results: AppendResult[] = [];
  // One append after the other (not appendMany's parallel requests): the
  // order of the deletion events is part of the contract.
  for (const d of deletions) results.push(await store.append(tx, d.streamId, d.loaded.version, d.events, context));
  await deleteNodes(tx, deletions.map((d) => d.node.id));

  const rootResult = results[results.length - 1];
  if (!rootResult) throw new Error('no deletion was appended');
  return { ...written(request.id, rootResult, results), deleted: deletions.map((d) => ({ level: d.node.level, id: d.node.id })) };
}

async function decideDeletion(
  tx: EntityManager,
  store: EventStore,
  node: HierarchyNode,
  request: Pick<DeleteRequest, 'cascade' | 'purgeVolumes'>,
  metadata: CommandMetadata,
): Promise<Deletion> {
  const { id } = node;
  switch (node.level) {
    case 'organization': {
      const streamId = streams.organization(id);
      const loaded = await loadAggregate(tx, store, streamId, organizationDecider);
      const events = organizationDecider.decide({ type: 'DeleteOrganization', data: { organizationId: id, cascade: request.cascade }, metadata }, loaded.state);
      return { node, streamId, loaded, events };
    }
    case 'project': {
      const streamId = streams.project(id);
      const loaded = await loadAggregate(tx, store, streamId, projectDecider);
      const events = projectDecider.decide({ type: 'DeleteProject', data: { projectId: id, cascade: request.cascade }, metadata }, loaded.state);
      return { node, streamId, loaded, events };
    }
    case 'site': {
      const streamId = streams.site(id);
      const loaded = await loadAggregate(tx, store, streamId, siteDecider);
      const events = siteDecider.decide({ type: 'DeleteSite', data: { siteId: id, purgeVolumes: request.purgeVolumes }, metadata }, loaded.state);
      return { node, streamId, loaded, events };
    }
  }
}

function plural(count: number, noun: string): string {
  if (count === 0) return '';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
