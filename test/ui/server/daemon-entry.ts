// Child entry for the daemon test: `waakhond run` exactly as the CLI calls it.
import { runCommand } from '../../../ui/server/daemon.js';

process.exitCode = await runCommand(process.argv.slice(2));
