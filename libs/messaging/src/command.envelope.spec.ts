import type { Command } from '@siteops/contracts';
import { causedBy, parseCommand, parseReply } from './command.envelope';
import { recordedEvent } from './test/nats.fixture';

const metadata = {
  commandId: '0b7e8c52-8f63-4c1e-9a39-5d0f7d3f2a11',
  correlationId: 'req-1',
  causationId: 'req-1',
  actor: 'user-1',
  at: '2025-01-01T00:00:00.000Z',
};
const organizationId = '6a0f4f8e-4d7b-4c39-9a9e-1f1f1f1f1f1f';
const projectId = '7b1f4f8e-4d7b-4c39-9a9e-2f2f2f2f2f2f';

describe('parseCommand', () => {
  it('returns the command with schema defaults applied', () => {
    const parsed = parseCommand('CreateProject', { type: 'CreateProject', data: { projectId, organizationId, name: 'Repo' }, metadata });

    expect(parsed).toEqual({
      ok: true,
      command: { type: 'CreateProject', data: { projectId, organizationId, name: 'Repo', description: '' }, metadata },
    });
  });

  it('names every invalid field by its dotted path', () => {
    const parsed = parseCommand('IssueApiKey', {
      type: 'IssueApiKey',
      data: {
        keyId: 'abcdefgh1',
        userId: organizationId,
        name: 'ci',
        secretSha256: 'a'.repeat(64),
        expiresAt: null,
        scope: { path: 'acme', level: 'organization', resourceId: organizationId, maxRole: 'root' },
      },
      metadata,
    });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('validation_failed');
    expect(parsed.error.errors?.map((e) => e.field)).toEqual(['scope.maxRole']);
  });

  it('rejects an envelope without metadata fields, naming them', () => {
    const { actor: _actor, ...withoutActor } = metadata;
    const parsed = parseCommand('CreateOrganization', { type: 'CreateOrganization', data: { organizationId, name: 'Acme' }, metadata: withoutActor });

    expect(parsed).toMatchObject({ ok: false, error: { code: 'validation_failed', errors: [{ field: 'metadata.actor' }] } });
  });

  it('rejects a command sent to another command type', () => {
    const parsed = parseCommand('DeleteSite', { type: 'CreateOrganization', data: { organizationId, name: 'Acme' }, metadata });

    expect(parsed).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});

describe('parseReply', () => {
  it('reads success and error replies', () => {
    expect(parseReply({ ok: true, value: { id: 'x' } })).toEqual({ ok: true, value: { id: 'x' } });
    expect(parseReply({ ok: false, error: { code: 'not_found', message: 'No such site' } })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No such site' },
    });
  });

  it('refuses what is not a reply envelope, including unknown error codes', () => {
    expect(parseReply({ status: 'error', message: 'Internal server error' })).toBeUndefined();
    expect(parseReply({ ok: false, error: { code: 'teapot', message: 'no' } })).toBeUndefined();
    expect(parseReply(undefined)).toBeUndefined();
  });
});

describe('causedBy', () => {
  it('continues the correlation of a command, caused by it, as its actor', () => {
    const command: Command = { type: 'CreateOrganization', data: {}, metadata };
    expect(causedBy(command)).toEqual({ correlationId: 'req-1', causationId: metadata.commandId, actor: 'user-1' });
  });

  it('continues the correlation of an event, caused by its event id, as the given actor', () => {
    const event = recordedEvent();
    expect(causedBy(event, 'system:deployer')).toEqual({
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      actor: 'system:deployer',
    });
  });
});
