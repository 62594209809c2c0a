import { command, specFor } from '@siteops/testing';
import { projectDecider, type ProjectStreamEvent } from './project.decider';

const given = specFor(projectDecider);
const projectId = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const organizationId = '9d1f7c5e-6a4b-4f3e-8d2c-1b0a9e8d7c6b';
const created: ProjectStreamEvent = {
  type: 'ProjectCreated',
  data: { projectId, organizationId, name: 'Repository', description: 'Institutional repository' },
};
const updated = (name: string, description: string): ProjectStreamEvent => ({
  type: 'ProjectUpdated',
  data: { projectId, organizationId, name, description },
});

describe('project decider', () => {
  it('creates a project in its organization', () => {
    given([])
      .when(command('CreateProject', { projectId, organizationId, name: 'Repository', description: 'Institutional repository' }))
      .then([created]);
  });

  it('refuses a project id that is taken', () => {
    given([created]).when(command('CreateProject', { projectId, organizationId, name: 'Other', description: '' })).thenThrows('already_exists');
  });

  it('updates only what the command names and carries the full new state', () => {
    given([created])
      .when(command('UpdateProject', { projectId, description: 'Now with DSpace 8' }))
      .then([updated('Repository', 'Now with DSpace 8')]);
    given([created, updated('Repository', 'Now with DSpace 8')])
      .when(command('UpdateProject', { projectId, name: 'Repo' }))
      .then([updated('Repo', 'Now with DSpace 8')]);
  });

  it('does nothing when nothing changes', () => {
    given([created]).when(command('UpdateProject', { projectId, name: 'Repository' })).thenNothingHappened();
    given([created]).when(command('UpdateProject', { projectId })).thenNothingHappened();
  });

  it('deletes a project under its current name', () => {
    given([created, updated('Repo', '')])
      .when(command('DeleteProject', { projectId, cascade: false }))
      .then([{ type: 'ProjectDeleted', data: { projectId, organizationId, name: 'Repo' } }]);
  });

  it('cannot update or delete a project that does not exist or was deleted', () => {
    const deleted: ProjectStreamEvent = { type: 'ProjectDeleted', data: { projectId, organizationId, name: 'Repository' } };
    given([]).when(command('UpdateProject', { projectId, name: 'X' })).thenThrows('not_found');
    given([created, deleted]).when(command('UpdateProject', { projectId, name: 'X' })).thenThrows('not_found');
    given([created, deleted]).when(command('DeleteProject', { projectId, cascade: true })).thenThrows('not_found');
  });
});
