import { DomainError, type Command, type CommandData, type Decider, type NewEventOf, type SiteEvent } from '@siteops/contracts';
import { composeHash, composeValidationError } from './compose-document';

/** CreateSite as the decider sees it: the handler adds the organization, read from the parent project. */
export type CreateSiteCommand = Command<'CreateSite', CommandData<'CreateSite'> & { organizationId: string }>;

export type SiteCommand =
  | CreateSiteCommand
  | Command<'UpdateSite', CommandData<'UpdateSite'>>
  | Command<'ReviseSiteCompose', CommandData<'ReviseSiteCompose'>>
  | Command<'DeleteSite', CommandData<'DeleteSite'>>;
export type SiteStreamEvent = NewEventOf<SiteEvent>;

interface SiteFields {
  readonly siteId: string;
  readonly projectId: string;
  readonly organizationId: string;
  readonly name: string;
  readonly environment: string;
  readonly autoDeploy: boolean;
}

export type SiteState =
  | { readonly status: 'none' }
  | (SiteFields & { readonly status: 'active' | 'deleted'; readonly composeRevision: number; readonly composeHash: string });

/**
 * One site: its settings and its compose document, revisioned. Revision 1
 * is written with SiteCreated, so a site always has a compose document.
 */
export const siteDecider: Decider<SiteCommand, SiteStreamEvent, SiteState> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateSite': {
        const { siteId, projectId, organizationId, name, environment, compose, autoDeploy } = command.data;
        if (state.status !== 'none') throw new DomainError('already_exists', `Site ${siteId} already exists`);
        checkCompose(compose);
        return [
          // SPEC §1: the environment label defaults to the site name.
          { type: 'SiteCreated', data: { siteId, projectId, organizationId, name, environment: environment ?? name, autoDeploy } },
          { type: 'SiteComposeRevised', data: { siteId, revision: 1, compose, hash: composeHash(compose) } },
        ];
      }
      case 'UpdateSite': {
        const current = active(state, command.data.siteId);
        const next: SiteFields = {
          siteId: current.siteId,
          projectId: current.projectId,
          organizationId: current.organizationId,
          name: command.data.name ?? current.name,
          environment: command.data.environment ?? current.environment,
          autoDeploy: command.data.autoDeploy ?? current.autoDeploy,
        };
        if (next.name === current.name && next.environment === current.environment && next.autoDeploy === current.autoDeploy) return [];
        return [{ type: 'SiteUpdated', data: next }];
      }
      case 'ReviseSiteCompose': {
        const current = active(state, command.data.siteId);
        checkCompose(command.data.compose);
        const hash = composeHash(command.data.compose);
        // The same text again is not a new revision: nothing would change downstream.
        if (hash === current.composeHash) return [];
        return [{ type: 'SiteComposeRevised', data: { siteId: current.siteId, revision: current.composeRevision + 1, compose: command.data.compose, hash } }];
      }
      case 'DeleteSite': {
        const { siteId, projectId, organizationId, name } = active(state, command.data.siteId);
        return [{ type: 'SiteDeleted', data: { siteId, projectId, organizationId, name, purgeVolumes: command.data.purgeVolumes } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SiteCreated':
        return { status: 'active', ...event.data, composeRevision: 0, composeHash: '' };
      case 'SiteUpdated':
        return state.status === 'none' ? state : { ...state, ...event.data };
      case 'SiteComposeRevised':
        return state.status === 'none' ? state : { ...state, composeRevision: event.data.revision, composeHash: event.data.hash };
      case 'SiteDeleted':
        return state.status === 'none' ? state : { ...state, status: 'deleted' };
    }
  },
};

function active(state: SiteState, siteId: string): Extract<SiteState, { status: 'active' | 'deleted' }> {
  if (state.status !== 'active') throw new DomainError('not_found', `Site ${siteId} does not exist`);
  return state;
}

function checkCompose(text: string): void {
  const error = composeValidationError(text);
  if (error) throw error;
}
