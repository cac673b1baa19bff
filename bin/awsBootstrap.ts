import { Command } from 'commander';
import { issueFirstKey } from '../lambdas/handlers/aws/firstKey';

// `npm run aws:bootstrap -- --stack NAME`: the first operator key of a deployed stack, printed once.
const program = new Command('aws:bootstrap')
  .description("Creates the first operator API key of a deployed Cronium stack with your AWS credentials; only the key's hash is stored.")
  .requiredOption('--stack <name>', 'the CloudFormation stack name (as given to cdk deploy)')
  .option('--another', 'create one more operator key although the stack has one')
  .parse();
const o = program.opts<{ stack: string; another?: boolean }>();
try {
  const first = await issueFirstKey({ stackName: o.stack, another: o.another });
  process.stdout.write(
    [
      `Operator key of tenant default (shown once, store it now): ${first.key}`,
      '',
      `export CRONIUM_URL=${first.restUrl}`,
      `export CRONIUM_WS_URL=${first.webSocketUrl}`,
      `export CRONIUM_API_KEY=${first.key}`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`aws:bootstrap: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
