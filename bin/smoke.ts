import { runSmokeCommand } from './smoke/command';

process.exitCode = await runSmokeCommand(process.argv.slice(2));
