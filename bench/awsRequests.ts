/**
 * The AWS requests one container job costs end to end, counted through the AWS flow of
 * test/aws/awsHome.ts (the real AWS composition and Lambda entry points; DynamoDB requests counted
 * at dynalite, the other services at their SDK mocks): REST submit (with the authorizer), dispatch
 * (RunTask), one CloudWatch Logs batch to the forwarder, STOPPED to the completion handler. No
 * WebSocket subscriber. Then the DynamoDB requests per job with 0, 10 and 1,000 jobs waiting behind
 * a concurrency cap of one.
 * Runs in `npm run bench` and alone: `npx tsx bench/run.ts --aws`.
 */
import { startAwsHome, type AwsHome, type RequestCounts } from '../test/aws/awsHome';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

const minus = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(a)
      .map(([k, v]) => [k, v - (b[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );

const since = (home: AwsHome, before: RequestCounts) => {
  const now = home.counts();
  return {
    dynamodb: minus(now.dynamodb, before.dynamodb),
    sqs: now.sqs - before.sqs,
    ecs: minus(now.ecs, before.ecs),
    s3: minus(now.s3, before.s3),
    kms: now.kms - before.kms,
    logs: now.logs - before.logs,
    apigw: now.apigw - before.apigw,
  };
};

/** One job from its submit through its end, with two log lines in one subscription batch. */
const submitJob = async (home: AwsHome) => {
  const res = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'echo one; echo two' });
  if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
  return res.body.id as string;
};

const runToEnd = async (home: AwsHome, jobId: string) => {
  await home.dispatch();
  const task = home.taskOf(jobId);
  await home.deliverLogs(task, home.writeLines(task, ['one', 'two']));
  await home.uploadOut(jobId, { 'output.json': '{"ok":true}' });
  await home.stopped(task, { exitCode: 0 });
};

const phases = async (home: AwsHome) => {
  const atStart = home.counts();
  const jobId = await submitJob(home);
  const submit = since(home, atStart);
  let mark = home.counts();
  await home.dispatch();
  const dispatch = since(home, mark);
  const task = home.taskOf(jobId);
  mark = home.counts();
  await home.deliverLogs(task, home.writeLines(task, ['one', 'two']));
  const logBatch = since(home, mark);
  await home.uploadOut(jobId, { 'output.json': '{"ok":true}' });
  mark = home.counts();
  await home.stopped(task, { exitCode: 0 });
  const completion = since(home, mark);
  return { submit, dispatch, logBatch, completion, total: since(home, atStart) };
};

const round1 = (n: number) => Math.round(n * 10) / 10;

/** DynamoDB requests per job (submit + run to end, averaged over 20 jobs) with nothing waiting. */
const perJobAlone = async (home: AwsHome, jobs = 20) => {
  const before = home.counts();
  for (let i = 0; i < jobs; i++) await runToEnd(home, await submitJob(home));
  return { waiting: 0, dynamodbPerJob: round1(sum(since(home, before).dynamodb) / jobs) };
};

/**
 * DynamoDB requests per job with `waiting` jobs behind one busy slot: the submits of the measured
 * jobs and of the backlog (each submit costs the same), and the measured jobs run to their end one
 * after the other, each end offering the next waiting job (oldest first).
 */
const perJobWithBacklog = async (home: AwsHome, waiting: number, jobs = 20) => {
  // Every waiting job is run to its end afterwards: measure a small backlog before a large one.
  const blocker = await submitJob(home);
  await home.dispatch();
  const beforeSubmits = home.counts();
  const ids: string[] = [];
  for (let i = 0; i < jobs + waiting; i++) {
    ids.push(await submitJob(home));
    // Their messages find the slot held: they wait in the store. Dispatched as SQS hands them over,
    // in batches of at most 10 (lib/Dispatcher.ts), not as one batch of a thousand at once.
    if (ids.length % 10 === 0) await home.dispatch();
  }
  await home.dispatch();
  const submitPerJob = sum(since(home, beforeSubmits).dynamodb) / (jobs + waiting);
  await home.stopped(home.taskOf(blocker), { exitCode: 0 });
  const beforeRuns = home.counts();
  for (const id of ids.slice(0, jobs)) await runToEnd(home, id);
  const runPerJob = sum(since(home, beforeRuns).dynamodb) / jobs;
  // The rest run too (not counted), so the next measure starts with nothing waiting.
  for (const id of ids.slice(jobs)) await runToEnd(home, id);
  return {
    waiting,
    dynamodbPerJob: round1(submitPerJob + runPerJob),
    submitPerJob: round1(submitPerJob),
    runToEndPerJob: round1(runPerJob),
  };
};

/** The composition is built once per process (as in a Lambda container): one home for every figure. */
export const benchAwsRequests = async () => {
  // The tenant's queued cap is raised above the backlog measured here.
  const home = await startAwsHome({ env: { CRONIUM_MAX_CONCURRENT: '1', CRONIUM_MAX_QUEUED_PER_TENANT: '5000' } });
  try {
    // The first job pays cold-start reads (the API key, the tenant's secrets): measure a warm one.
    await phases(home);
    const oneJob = await phases(home);
    const backlog = [await perJobAlone(home), await perJobWithBacklog(home, 10), await perJobWithBacklog(home, 1000)];
    return {
      what: 'AWS requests one container job costs (warm functions, no subscriber), by phase and service',
      oneJob,
      dynamodbTotal: sum(oneJob.total.dynamodb),
      backlog,
    };
  } finally {
    await home.stop();
  }
};
