import { createHash } from 'node:crypto';
import { command, specFor } from '@siteops/testing';
import { siteDecider, type SiteStreamEvent } from './site.decider';

const given = specFor(siteDecider);
const siteId = '3b4c5d6e-7f80-4a9b-8c1d-2e3f4a5b6c7d';
const projectId = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const organizationId = '9d1f7c5e-6a4b-4f3e-8d2c-1b0a9e8d7c6b';
const composeV1 = 'services:\n  web:\n    image: nginx:1.27\n';
const composeV2 = 'services:\n  web:\n    image: nginx:1.28\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const base = { siteId, projectId, organizationId };
const created: SiteStreamEvent = { type: 'SiteCreated', data: { ...base, name: 'production', environment: 'prod', autoDeploy: false } };
const revision1: SiteStreamEvent = { type: 'SiteComposeRevised', data: { siteId, revision: 1, compose: composeV1, hash: sha256(composeV1) } };
const create = (data: { environment?: string; compose?: string; autoDeploy?: boolean } = {}) =>
  command('CreateSite', { ...base, name: 'production', compose: composeV1, autoDeploy: false, ...data });

describe('site decider', () => {
  describe('CreateSite', () => {
    it('creates the site with its compose document as revision 1, hashed', () => {
      given([]).when(create({ environment: 'prod' })).then([created, revision1]);
    });

    it('defaults the environment to the site name', () => {
      given([])
        .when(create({ autoDeploy: true }))
        .then([{ type: 'SiteCreated', data: { ...base, name: 'production', environment: 'production', autoDeploy: true } }, revision1]);
    });

    it('refuses YAML that does not parse, saying where', () => {
      const error = given([]).when(create({ compose: 'services:\n  web: [nginx\n' })).thenThrows('validation_failed', ['compose']);
      expect(error.errors?.[0]?.message).toMatch(/at line \d+, column \d+$/);
    });

    it('refuses a document that is not a mapping with a services mapping', () => {
      given([]).when(create({ compose: '- web\n' })).thenThrows('validation_failed', ['compose']);
      given([]).when(create({ compose: 'version: "3"\n' })).thenThrows('validation_failed', ['compose.services']);
      given([]).when(create({ compose: 'services: nginx\n' })).thenThrows('validation_failed', ['compose.services']);
    });

    it('refuses compose keys siteops does not support, naming each with its service', () => {
      const error = given([])
        .when(create({ compose: 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    env_file: .env\n' }))
        .thenThrows('validation_failed', ['compose.services.web.privileged', 'compose.services.web.env_file']);
      expect(error.message).toMatch(/^The compose document is not valid: services\.web\.privileged is not supported/);
    });

    it('refuses a site id that is taken', () => {
      given([created, revision1]).when(create()).thenThrows('already_exists');
    });
  });

  describe('UpdateSite', () => {
    it('changes what the command names and carries the full new state', () => {
      given([created, revision1])
        .when(command('UpdateSite', { siteId, autoDeploy: true }))
        .then([{ type: 'SiteUpdated', data: { ...base, name: 'production', environment: 'prod', autoDeploy: true } }]);
    });

    it('keeps the environment when the site is renamed', () => {
      given([created, revision1])
        .when(command('UpdateSite', { siteId, name: 'live' }))
        .then([{ type: 'SiteUpdated', data: { ...base, name: 'live', environment: 'prod', autoDeploy: false } }]);
    });

    it('does nothing when nothing changes', () => {
      given([created, revision1]).when(command('UpdateSite', { siteId, environment: 'prod', autoDeploy: false })).thenNothingHappened();
    });
  });

  describe('ReviseSiteCompose', () => {
    it('adds the next revision', () => {
      const revision2: SiteStreamEvent = { type: 'SiteComposeRevised', data: { siteId, revision: 2, compose: composeV2, hash: sha256(composeV2) } };
      given([created, revision1]).when(command('ReviseSiteCompose', { siteId, compose: composeV2 })).then([revision2]);
      given([created, revision1, revision2])
        .when(command('ReviseSiteCompose', { siteId, compose: composeV1 }))
        .then([{ type: 'SiteComposeRevised', data: { siteId, revision: 3, compose: composeV1, hash: sha256(composeV1) } }]);
    });

    it('does not make a revision of the text the site already has', () => {
      given([created, revision1]).when(command('ReviseSiteCompose', { siteId, compose: composeV1 })).thenNothingHappened();
    });

    it('refuses an invalid document', () => {
      given([created, revision1]).when(command('ReviseSiteCompose', { siteId, compose: 'services: [' })).thenThrows('validation_failed', ['compose']);
    });

    it('refuses a revision with an unsupported key or a dependency cycle', () => {
      given([created, revision1])
        .when(command('ReviseSiteCompose', { siteId, compose: `${composeV2}    cap_add: [NET_ADMIN]\n` }))
        .thenThrows('validation_failed', ['compose.services.web.cap_add']);
      given([created, revision1])
        .when(command('ReviseSiteCompose', { siteId, compose: `${composeV2}    depends_on: [web]\n` }))
        .thenThrows('validation_failed', ['compose.services.web.depends_on']);
    });
  });

  describe('DeleteSite', () => {
    const deleted: SiteStreamEvent = { type: 'SiteDeleted', data: { ...base, name: 'production', purgeVolumes: true } };

    it('deletes, passing on whether volumes go too', () => {
      given([created, revision1]).when(command('DeleteSite', { siteId, purgeVolumes: true })).then([deleted]);
    });

    it('cannot touch a deleted site', () => {
      given([created, revision1, deleted]).when(command('DeleteSite', { siteId, purgeVolumes: false })).thenThrows('not_found');
      given([created, revision1, deleted]).when(command('UpdateSite', { siteId, autoDeploy: true })).thenThrows('not_found');
      given([created, revision1, deleted]).when(command('ReviseSiteCompose', { siteId, compose: composeV2 })).thenThrows('not_found');
    });
  });
});
