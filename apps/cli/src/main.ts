import { processIo } from './core/cli-io';
import { run } from './program';

// Exit only once both streams have flushed: a piped stdout must not lose the tail of a JSON document.
void run(process.argv.slice(2), processIo()).then((code) => {
  process.stdout.write('', () => {
    process.stderr.write('', () => process.exit(code));
  });
});
