export * from './compose.model';
export {
  describeFieldError,
  parseCompose,
  prefixFieldErrors,
  type ComposeOptions,
  type ComposeResult,
} from './compose-document';
export * from './compose-project';
export {
  exposedService,
  healthGatedServices,
  replacementOrder,
  startConditions,
  startOrder,
  startStages,
} from './service-graph';
export {
  planDeployment,
  secretClashes,
  serviceConfigHash,
  type DeploymentInput,
  type DeploymentPlan,
  type DeploymentPlanResult,
  type PlannedService,
  type SiteSecret,
} from './deployment-plan';
