import type { Event } from './envelope';

export type OrganizationCreated = Event<
  'OrganizationCreated',
  { organizationId: string; name: string; createdBy: string }
>;
export type OrganizationRenamed = Event<
  'OrganizationRenamed',
  { organizationId: string; name: string; previousName: string }
>;
export type OrganizationDeleted = Event<'OrganizationDeleted', { organizationId: string; name: string }>;

export type ProjectCreated = Event<
  'ProjectCreated',
  { projectId: string; organizationId: string; name: string; description: string }
>;
/** Carries the full new state of the mutable fields. */
export type ProjectUpdated = Event<
  'ProjectUpdated',
  { projectId: string; organizationId: string; name: string; description: string }
>;
export type ProjectDeleted = Event<'ProjectDeleted', { projectId: string; organizationId: string; name: string }>;

export type SiteCreated = Event<
  'SiteCreated',
  {
    siteId: string;
    projectId: string;
    organizationId: string;
    name: string;
    environment: string;
    autoDeploy: boolean;
  }
>;
export type SiteUpdated = Event<
  'SiteUpdated',
  {
    siteId: string;
    projectId: string;
    organizationId: string;
    name: string;
    environment: string;
    autoDeploy: boolean;
  }
>;
/** A new compose revision; the document travels as the YAML text the user wrote. */
export type SiteComposeRevised = Event<
  'SiteComposeRevised',
  { siteId: string; revision: number; compose: string; hash: string }
>;
export type SiteDeleted = Event<
  'SiteDeleted',
  { siteId: string; projectId: string; organizationId: string; name: string; purgeVolumes: boolean }
>;

export type OrganizationEvent = OrganizationCreated | OrganizationRenamed | OrganizationDeleted;
export type ProjectEvent = ProjectCreated | ProjectUpdated | ProjectDeleted;
export type SiteEvent = SiteCreated | SiteUpdated | SiteComposeRevised | SiteDeleted;
export type HierarchyEvent = OrganizationEvent | ProjectEvent | SiteEvent;
