import { runLocal } from './main';

runLocal().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`cronium: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
