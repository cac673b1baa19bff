import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAwsHome, type AwsHome } from './awsHome';

let home: AwsHome;
afterEach(async () => {
  await home?.stop();
});

describe('statistics through the AWS composition', () => {
  it('counts a job ended by the ECS completion and shows it on GET /stats', async () => {
    // Arrange
    vi.resetModules();
    home = await startAwsHome();
    const submitted = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'exit 4' });
    const jobId = submitted.body.id as string;
    await home.dispatch();
    const task = home.taskOf(jobId);
    await home.deliverLogs(task, home.writeLines(task, ['one']));

    // Act
    await home.stopped(task, { exitCode: 4 });
    const stats = await home.rest('GET', '/stats');

    // Assert
    expect((await home.rest('GET', `/jobs/${jobId}`)).body.status).toBe('failed');
    expect(stats.status).toBe(200);
    expect(stats.body.total).toMatchObject({ jobs: 1, byStatus: { failed: 1 }, byErrorCode: { exit_nonzero: 1 }, successRate: 0 });
    expect(Object.keys(stats.body.byRuntime)).toEqual(['bash']);
  });
});
