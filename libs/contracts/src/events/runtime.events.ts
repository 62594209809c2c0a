import type { Event } from './envelope';

export const DEPLOYMENT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'rolled_back'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Everything a rollback needs to reproduce a deployment exactly. */
export interface DesiredState {
  composeRevision: number;
  composeHash: string;
  configHash: string;
  secrets: { name: string; version: number; level: string; id: string }[];
  firewall: string[];
  images: { service: string; image: string }[];
}

export type DeploymentRequested = Event<
  'DeploymentRequested',
  { deploymentId: string; siteId: string; reason: string; desired: DesiredState; rollbackOf: string | null }
>;
export type DeploymentStarted = Event<'DeploymentStarted', { deploymentId: string; siteId: string; attempt: number }>;
export type DeploymentStepCompleted = Event<
  'DeploymentStepCompleted',
  { deploymentId: string; siteId: string; step: string; service: string | null; detail: string }
>;
export type DeploymentSucceeded = Event<
  'DeploymentSucceeded',
  { deploymentId: string; siteId: string; durationMs: number; noop: boolean }
>;
export type DeploymentFailed = Event<
  'DeploymentFailed',
  { deploymentId: string; siteId: string; error: string; step: string | null }
>;
export type DeploymentRolledBack = Event<
  'DeploymentRolledBack',
  { deploymentId: string; siteId: string; restoredDeploymentId: string; error: string }
>;

export interface ObservedService {
  service: string;
  containerId: string | null;
  state: string;
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  configHash: string | null;
}
export type SiteRuntimeObserved = Event<
  'SiteRuntimeObserved',
  { siteId: string; services: ObservedService[]; drift: boolean; observedAt: string }
>;

export type DeploymentEvent =
  | DeploymentRequested
  | DeploymentStarted
  | DeploymentStepCompleted
  | DeploymentSucceeded
  | DeploymentFailed
  | DeploymentRolledBack;
export type RuntimeEvent = SiteRuntimeObserved;
