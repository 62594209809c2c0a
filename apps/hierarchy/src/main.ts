import { processHealth, runMain } from '@siteops/runtime';
import { app } from './hierarchy.app';

if (require.main === module) runMain((config) => app.start(config, { standalone: true, health: processHealth }));
