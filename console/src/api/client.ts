/** An error the API answered with, carrying its own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorOf = (status: number, body: unknown): ApiError => {
  const b = body as { error?: { code?: string; message?: string }; message?: string } | undefined;
  const message = b?.error?.message ?? b?.message ?? `the API answered ${status}`;
  return new ApiError(status, b?.error?.code ?? String(status), message);
};

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  del(path: string): Promise<void>;
  /** A URL to download with the key in a header, as a Blob (no key in the URL). */
  download(path: string): Promise<Blob>;
}

/** The REST API for one key. Paths are the API's own (`/jobs/ID`); ids are encoded by the caller. */
export const createApi = (apiUrl: string, key: string): Api => {
  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'the API could not be reached');
    }
    if (!res.ok) {
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = { message: text };
      }
      throw errorOf(res.status, parsed);
    }
    return res;
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await send(method, path, body);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get: (path) => json('GET', path),
    post: (path, body) => json('POST', path, body),
    put: (path, body) => json('PUT', path, body),
    patch: (path, body) => json('PATCH', path, body),
    del: async (path) => void (await send('DELETE', path)),
    download: async (path) => (await send('GET', path)).blob(),
  };
};

/** Encodes one path segment. */
export const seg = (value: string): string => encodeURIComponent(value);
