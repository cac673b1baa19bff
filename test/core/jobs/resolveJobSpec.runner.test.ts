import { describe, expect, it } from 'vitest';
import { defaultCoreConfig, ValidationError } from '../../../lambdas/core';
import { resolveJobSpec } from '../../../lambdas/core/jobs/resolveJobSpec';

const onAws = { ...defaultCoreConfig, runnerTimeoutSeconds: 840, sshTargets: false };
const http = { method: 'GET', url: 'https://example.com/' };

describe('resolveJobSpec where http jobs run in a time-limited function', () => {
  it('refuses a longer time limit, naming timeoutSeconds and the limit', () => {
    const err = (() => {
      try {
        resolveJobSpec({ runtime: 'http', http, timeoutSeconds: 900 }, onAws);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/timeoutSeconds.*at most 840/);
  });

  it('cuts the default time limit to fit, and keeps one that fits', () => {
    expect(resolveJobSpec({ runtime: 'http', http }, { ...onAws, defaultTimeoutSeconds: 3600 }).timeoutSeconds).toBe(840);
    expect(resolveJobSpec({ runtime: 'http', http, timeoutSeconds: 60 }, onAws).timeoutSeconds).toBe(60);
  });

  it('leaves script jobs and one machine (no limit) alone', () => {
    expect(resolveJobSpec({ runtime: 'bash', script: 'true', timeoutSeconds: 3600 }, onAws).timeoutSeconds).toBe(3600);
    expect(resolveJobSpec({ runtime: 'http', http, timeoutSeconds: 3600 }, defaultCoreConfig).timeoutSeconds).toBe(3600);
  });

  it('refuses an ssh target where ssh targets are off, naming target', () => {
    expect(() => resolveJobSpec({ runtime: 'bash', script: 'true', target: { type: 'ssh', serverIds: ['s1'] } }, onAws)).toThrow(
      /ssh targets are not available/,
    );
    expect(
      resolveJobSpec({ runtime: 'bash', script: 'true', target: { type: 'ssh', serverIds: ['s1'] } }, defaultCoreConfig).target,
    ).toEqual({ type: 'ssh', serverIds: ['s1'] });
  });

  describe('ssh jobs, which run in the runner function too once ssh targets are on', () => {
    const sshOnAws = { ...onAws, sshTargets: undefined };
    const ssh = { runtime: 'bash' as const, script: 'true', target: { type: 'ssh' as const, serverIds: ['s1'] } };

    it('refuses a longer time limit, naming timeoutSeconds, ssh and the limit', () => {
      expect(() => resolveJobSpec({ ...ssh, timeoutSeconds: 900 }, sshOnAws)).toThrow(/at most 840 here: ssh jobs run inside a function/);
    });

    it('cuts the default time limit to fit, and keeps one that fits', () => {
      expect(resolveJobSpec(ssh, { ...sshOnAws, defaultTimeoutSeconds: 3600 }).timeoutSeconds).toBe(840);
      expect(resolveJobSpec({ ...ssh, timeoutSeconds: 60 }, sshOnAws).timeoutSeconds).toBe(60);
    });

    it('leaves ssh jobs on one machine (no limit) alone', () => {
      expect(resolveJobSpec({ ...ssh, timeoutSeconds: 3600 }, defaultCoreConfig).timeoutSeconds).toBe(3600);
    });

    it('names target, not the time limit, where ssh targets are off', () => {
      expect(() => resolveJobSpec({ ...ssh, timeoutSeconds: 3600 }, onAws)).toThrow(/ssh targets are not available/);
    });
  });
});
