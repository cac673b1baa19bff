import { main } from './cli';

// exitCode, not process.exit(): `cronium start` resolves while its servers keep the process alive.
process.exitCode = await main(process.argv.slice(2));
