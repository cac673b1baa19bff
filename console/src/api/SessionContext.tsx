import { createContext, useContext } from 'react';
import type { Api } from './client';
import type { ConsoleConfig } from './config';

export interface Session {
  api: Api;
  config: ConsoleConfig;
  /** The key, for the WebSocket handshake's `token` parameter only. */
  key: string;
  signOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export const useSession = (): Session => {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
};

export const useApi = (): Api => useSession().api;
