import { processHealth, runMain } from '@siteops/runtime';
import { app } from './gateway.app';

runMain((config) => app.start(config, { standalone: true, health: processHealth }));
