export * from './envelope';
export * from './identity.events';
export * from './hierarchy.events';
export * from './config.events';
export * from './runtime.events';
export * from './mirror.events';

import type { IdentityEvent } from './identity.events';
import type { HierarchyEvent } from './hierarchy.events';
import type { DataKeyEvent, EffectiveConfigEvent, FirewallEvent, SecretEvent } from './config.events';
import type { DeploymentEvent, RuntimeEvent } from './runtime.events';
import type { MirrorEvent } from './mirror.events';

/** Every event the platform stores. */
export type SiteopsEvent =
  | IdentityEvent
  | HierarchyEvent
  | SecretEvent
  | DataKeyEvent
  | FirewallEvent
  | EffectiveConfigEvent
  | DeploymentEvent
  | RuntimeEvent
  | MirrorEvent;

export type SiteopsEventType = SiteopsEvent['type'];
