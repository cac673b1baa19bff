import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApi } from './api/client';
import { type ConsoleConfig, loadConfig } from './api/config';
import { clearKey, storedKey, storeKey } from './api/session';
import { type Session, SessionContext } from './api/SessionContext';
import { Layout } from './Layout';
import { SignIn } from './pages/SignIn';
import { ErrorMessage, Loading } from './ui/components';

/** Loads the configuration, then shows the sign-in form or the signed-in console. */
export const Console = () => {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [configError, setConfigError] = useState<unknown>();
  const [key, setKey] = useState(storedKey);
  const queries = useQueryClient();

  useEffect(() => {
    loadConfig().then(setConfig, setConfigError);
  }, []);

  const signOut = useCallback(() => {
    clearKey();
    queries.clear();
    setKey(undefined);
  }, [queries]);

  const session = useMemo<Session | undefined>(
    () => (config && key ? { api: createApi(config.apiUrl, key), config, key, signOut } : undefined),
    [config, key, signOut],
  );

  if (configError) return <ErrorMessage error={configError} />;
  if (!config) return <Loading what="the console" />;
  if (!session) {
    return (
      <SignIn
        apiUrl={config.apiUrl}
        onSignedIn={(k) => {
          storeKey(k);
          setKey(k);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout />
    </SessionContext.Provider>
  );
};
