import type { MemberRoleGranted, NewEventOf } from '@siteops/contracts';

/**
 * The grant that makes an organization's creator its owner.
 *
 * Decision: CreateOrganization writes it itself, to `streams.members(
 * 'organization', id)` in the same `appendMany` as `OrganizationCreated`,
 * rather than asking the identity service for it afterwards. An
 * organization therefore never exists without an owner — not even for the
 * moment between two commands, and not when the second command fails — and
 * the last-owner rule of the identity service holds from the first event.
 * The event is the one identity's members decider would have emitted for a
 * first grant, so that stream reads the same whoever wrote its first event.
 * (docs/decisions.md, "The founding owner is written with the organization".)
 */
export function foundingOwnerGrant(organizationId: string, ownerId: string): NewEventOf<MemberRoleGranted> {
  return {
    type: 'MemberRoleGranted',
    data: { resource: { level: 'organization', id: organizationId }, userId: ownerId, role: 'owner', previousRole: null },
  };
}
