import { DomainError, type Command, type CommandData, type Decider, type NewEventOf, type ProjectEvent } from '@siteops/contracts';

export type ProjectCommand =
  | Command<'CreateProject', CommandData<'CreateProject'>>
  | Command<'UpdateProject', CommandData<'UpdateProject'>>
  | Command<'DeleteProject', CommandData<'DeleteProject'>>;
export type ProjectStreamEvent = NewEventOf<ProjectEvent>;

export type ProjectState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'deleted';
      readonly projectId: string;
      readonly organizationId: string;
      readonly name: string;
      readonly description: string;
    };

/** One project. Its parent's existence and its name's uniqueness are checked by the handlers. */
export const projectDecider: Decider<ProjectCommand, ProjectStreamEvent, ProjectState> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateProject': {
        const { projectId, organizationId, name, description } = command.data;
        if (state.status !== 'none') throw new DomainError('already_exists', `Project ${projectId} already exists`);
        return [{ type: 'ProjectCreated', data: { projectId, organizationId, name, description } }];
      }
      case 'UpdateProject': {
        const current = active(state, command.data.projectId);
        const name = command.data.name ?? current.name;
        const description = command.data.description ?? current.description;
        if (name === current.name && description === current.description) return [];
        return [{ type: 'ProjectUpdated', data: { projectId: current.projectId, organizationId: current.organizationId, name, description } }];
      }
      case 'DeleteProject': {
        const { projectId, organizationId, name } = active(state, command.data.projectId);
        return [{ type: 'ProjectDeleted', data: { projectId, organizationId, name } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ProjectCreated':
      case 'ProjectUpdated':
        return { status: 'active', ...event.data };
      case 'ProjectDeleted':
        return state.status === 'none' ? state : { ...state, status: 'deleted' };
    }
  },
};

function active(state: ProjectState, projectId: string): Extract<ProjectState, { status: 'active' | 'deleted' }> {
  if (state.status !== 'active') throw new DomainError('not_found', `Project ${projectId} does not exist`);
  return state;
}
