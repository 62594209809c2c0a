import { processHealth, runMain } from '@siteops/runtime';
import { app } from './projector.app';
import { runRebuildCommand } from './rebuild/rebuild.command';

const USAGE = `usage: projector [start]              run the read-model projection (default)
       projector rebuild [--verify]   rebuild the read models from position 0
`;

const [command = 'start', ...args] = process.argv.slice(2);

if (command === 'start') {
  runMain((config) => app.start(config, { standalone: true, health: processHealth }));
} else if (command === 'rebuild') {
  void runRebuildCommand(args).then((code) => {
    process.exitCode = code;
  });
} else {
  process.stderr.write(`unknown command ${command}\n${USAGE}`);
  process.exitCode = 2;
}
