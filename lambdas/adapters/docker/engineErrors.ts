/** HTTP status of a dockerode error, if it carries one. */
export const engineStatus = (err: unknown): number | undefined => {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

/** 404: no such container. */
export const isNoSuchContainer = (err: unknown): boolean => engineStatus(err) === 404;

/**
 * 304/409 from kill, start or remove: the container is already in the state asked for
 * (not running, already started, removal in progress).
 */
export const isAlreadyInState = (err: unknown): boolean => {
  const status = engineStatus(err);
  return status === 304 || status === 409;
};
