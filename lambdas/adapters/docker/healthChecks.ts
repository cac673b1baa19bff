import Docker from 'dockerode';
import type { HealthCheck } from '../../core';

const statusOf = (err: unknown): number | undefined =>
  typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : undefined;

/**
 * The Docker home's health checks: `docker` (the engine answers a ping; its version) and `images`
 * (every runtime image is present, else which are missing). Reasons name images, never the
 * socket path or the engine's own error text.
 */
export const createDockerHealthChecks = (o: { images: Record<string, string>; docker?: Docker }): HealthCheck[] => {
  const docker = o.docker ?? new Docker();
  return [
    {
      component: 'docker',
      async check() {
        try {
          await docker.ping();
          const version = await docker.version();
          return { status: 'ok', details: { engine: version.Version, api: version.ApiVersion } };
        } catch {
          return { status: 'down', reason: 'the Docker engine does not answer' };
        }
      },
    },
    {
      component: 'images',
      async check() {
        const missing: string[] = [];
        for (const image of Object.values(o.images)) {
          try {
            await docker.getImage(image).inspect();
          } catch (err) {
            if (statusOf(err) !== 404) return { status: 'down', reason: 'the Docker engine does not answer' };
            missing.push(image);
          }
        }
        return missing.length === 0
          ? { status: 'ok', details: { present: Object.keys(o.images).length } }
          : { status: 'down', reason: `missing runtime image${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` };
      },
    },
  ];
};
