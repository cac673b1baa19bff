import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { CroniumFunction, type CroniumFunctionProps } from './CroniumFunction';
import { throwIfConflicts } from './InvalidPropsError';

/** What a runner keeps of its own time limit to report a job that used all of its own. */
export const RUNNER_REPORT_MARGIN = Duration.seconds(60);

/** Props of {@link JobRunner}. */
export interface JobRunnerProps {
  /**
   * Environment of the runner function.
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Time limit of one invocation (2–15 minutes); a job may run this long less RUNNER_REPORT_MARGIN.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * Runs the function in these subnets (private with egress through NAT), so ssh jobs reach users'
   * servers from fixed addresses. @default not in a VPC (no ssh jobs)
   */
  readonly network?: CroniumFunctionProps['network'];
}

/**
 * The runner function: each http job gets one asynchronous invocation of its own, handed over by
 * the dispatcher (lambdas/adapters/lambda-runner), and runs there to its end, so a long request
 * neither holds up the dispatcher nor shares an invocation with other jobs.
 */
export class JobRunner extends Construct {
  public readonly function: CroniumFunction;
  /** Where an invocation goes that the Lambda service could not run (for inspection; the reaper ends its job). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The longest time limit a job run here may have: `CRONIUM_RUNNER_TIMEOUT_SECONDS`. */
  public readonly jobTimeLimit: Duration;

  constructor(scope: Construct, id: string, props: JobRunnerProps = {}) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(15);
    const seconds = timeout.toSeconds();
    throwIfConflicts('JobRunner', seconds < 120 || seconds > 900 ? [`timeout must be from 2 to 15 minutes, got ${seconds} seconds`] : []);
    this.jobTimeLimit = Duration.seconds(seconds - RUNNER_REPORT_MARGIN.toSeconds());

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(this.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the on-failure destination of the runner function.');
    this.function = new CroniumFunction(this, 'Function', {
      entry: 'lambdas/handlers/jobRunner.ts',
      description: 'Cronium: runs one http, tool or ssh job per invocation, handed over by the dispatcher',
      timeout,
      environment: props.environment,
      // ssh jobs upload the runtime helpers into each workspace from /var/task/helpers.
      runtimeHelpers: true,
      network: props.network,
    });
    // No retry: a second invocation would send the request again. A runner that dies leaves its job
    // running, and the tick ends it `lost` once its time limit has passed.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0, onFailure: new destinations.SqsDestination(this.deadLetterQueue) });
  }

  /** Lets `fn` hand jobs over (lambda:InvokeFunction on this function) and tells it which function that is. */
  grantHandOver(fn: CroniumFunction): void {
    this.grantInvoke(fn);
  }

  /**
   * Lets `fn` (the REST function) run server connection tests here, where ssh jobs connect from: a
   * synchronous lambda:InvokeFunction on this function (lambdas/adapters/lambda-server-test).
   */
  grantServerTests(fn: CroniumFunction): void {
    this.grantInvoke(fn);
  }

  private grantInvoke(fn: CroniumFunction): void {
    // Not grantInvoke: it also grants every version and alias (`:*`), which nothing here invokes.
    fn.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.fn.functionArn] }));
    fn.fn.addEnvironment('CRONIUM_RUNNER_FUNCTION', this.function.fn.functionName);
  }
}
