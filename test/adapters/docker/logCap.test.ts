import { afterEach, describe, expect, it } from 'vitest';
import { createLauncherHarness } from './launcherHarness';

const h = createLauncherHarness();
afterEach(() => h.cleanup());

describe('docker launcher: a full log', () => {
  it('stops reading the log once the recorder says it is full, and reports the exit when the container stops', async () => {
    // Arrange: the job prints 300,000 lines (30 MB), then exits 3; the log is full after 1,000 lines.
    const { fake, run } = h.setup({ logFullAfterLines: 1_000 });
    const job = h.job({
      runtime: 'python',
      script: "import sys\nfor i in range(300_000): sys.stdout.write('x'*99+'\\n')\nsys.exit(3)",
    });

    // Act
    const { exit } = await run(job);

    // Assert: the exit is the container's own; what was left unread was never reported.
    expect(exit.exitCode).toBe(3);
    expect(fake.linesOf(job.id).length).toBeGreaterThanOrEqual(1_000);
    expect(fake.linesOf(job.id).length).toBeLessThan(100_000);
  }, 60_000);
});
