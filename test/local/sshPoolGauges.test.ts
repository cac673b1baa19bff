import { describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../lambdas/adapters/metrics';
import { sshPoolGauges } from '../../lambdas/local/localHealthChecks';

type States = Record<string, 'closed' | 'open' | 'half-open'>;

const line = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));

describe('the SSH pool gauges', () => {
  it('sum connections and sessions per host:port, leaving the login and key out, and read 0 once a pool emptied', async () => {
    let pools: Record<string, { connections: number; active: number }> = {
      '127.0.0.5:22:deploy:SHA256:abc': { connections: 2, active: 1 },
      '127.0.0.5:22:backup:SHA256:def': { connections: 1, active: 1 },
    };
    const metrics = createPromMetrics({ processMetrics: false, beforeScrape: [sshPoolGauges(() => pools)] });

    const busy = await metrics.render();
    pools = {};
    const idle = await metrics.render();

    expect(line(busy, 'cronium_ssh_connections{server="127.0.0.5:22"}')).toMatch(/ 3$/);
    expect(line(busy, 'cronium_ssh_sessions{server="127.0.0.5:22"}')).toMatch(/ 2$/);
    expect(busy).not.toContain('deploy');
    expect(busy).not.toContain('SHA256');
    expect(line(idle, 'cronium_ssh_connections{server="127.0.0.5:22"}')).toMatch(/ 0$/);
  });

  it('show 1 while a server’s circuit is open or half-open, and 0 once it closed', async () => {
    let states: States = { '127.0.0.5:22': 'open', '127.0.0.6:2222': 'half-open', '127.0.0.7:22': 'closed' };
    const metrics = createPromMetrics({
      processMetrics: false,
      beforeScrape: [
        sshPoolGauges(
          () => ({}),
          () => states,
        ),
      ],
    });

    const failing = await metrics.render();
    states = { '127.0.0.5:22': 'closed', '127.0.0.6:2222': 'closed', '127.0.0.7:22': 'closed' };
    const healed = await metrics.render();

    expect(line(failing, 'cronium_ssh_circuit_open{server="127.0.0.5:22"}')).toMatch(/ 1$/);
    expect(line(failing, 'cronium_ssh_circuit_open{server="127.0.0.6:2222"}')).toMatch(/ 1$/);
    expect(line(failing, 'cronium_ssh_circuit_open{server="127.0.0.7:22"}')).toMatch(/ 0$/);
    expect(line(healed, 'cronium_ssh_circuit_open{server="127.0.0.5:22"}')).toMatch(/ 0$/);
  });
});
