import type { Command } from 'commander';
import { createApiClient, type ApiClient } from './apiClient';
import { requireApiKey, resolveConfig, webSocketUrl, type CliConfig } from './config';
import type { CliDeps } from './deps';
import type { CliIo } from './io';

/** A client bound to the resolved configuration. */
export interface ApiSession {
  api: ApiClient;
  config: CliConfig;
  /** Where to subscribe to live logs. */
  wsUrl: string;
}

/** What every command handler gets: the process seams and ways to reach the API. */
export interface CommandContext {
  io: CliIo;
  deps: CliDeps;
  /** Configuration from the global flags of `cmd`, the environment and the data directory. */
  config(cmd: Command): CliConfig;
  /**
   * An API client for `cmd`'s configuration.
   *
   * @throws MissingApiKeyError when no API key is configured.
   */
  session(cmd: Command): ApiSession;
  /** Sets the exit code `main` returns once the command's action resolves. */
  setExitCode(code: number): void;
}

/** Global option values as commander stores them. */
interface GlobalOpts {
  url?: string;
  apiKey?: string;
  dataDir?: string;
}

/** Builds the context handed to command handlers; `setExitCode` feeds `main`'s result. */
export const createContext = (io: CliIo, deps: CliDeps, setExitCode: (code: number) => void): CommandContext => {
  const config = (cmd: Command): CliConfig => {
    const g = cmd.optsWithGlobals<GlobalOpts>();
    return resolveConfig({ url: g.url, apiKey: g.apiKey, dataDir: g.dataDir }, io.env, io.cwd);
  };
  return {
    io,
    deps,
    config,
    session: (cmd) => {
      const cfg = config(cmd);
      const apiKey = requireApiKey(cfg);
      return { api: createApiClient({ baseUrl: cfg.url, apiKey }), config: cfg, wsUrl: webSocketUrl(cfg.url, apiKey, cfg.wsUrl) };
    },
    setExitCode,
  };
};

/** True when `--json` was given on the command or globally. */
export const wantsJson = (cmd: Command): boolean => cmd.optsWithGlobals<{ json?: boolean }>().json === true;
