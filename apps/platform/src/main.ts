import { runMain } from '@siteops/runtime';
import { banner, startPlatform } from './platform';

if (require.main === module) {
  runMain(async (config) => {
    const platform = await startPlatform(config);
    process.stdout.write(banner(config, platform.url, platform.newAdminKey));
    return platform;
  });
}
