import { type FormEvent, useState } from 'react';
import { createApi } from '../api/client';
import { ErrorMessage, Field } from '../ui/components';

/** Asks for an API key once and checks it against the API before keeping it. */
export const SignIn = ({ apiUrl, onSignedIn }: { apiUrl: string; onSignedIn(key: string): void }) => {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await createApi(apiUrl, key.trim()).get('/jobs?limit=1');
      onSignedIn(key.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Cronium</h1>
        <Field label="API key" hint="Kept in this tab only, until you sign out or close it.">
          <input type="password" name="apiKey" autoComplete="off" autoFocus required value={key} onChange={(e) => setKey(e.target.value)} />
        </Field>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <ErrorMessage error={error} />
      </form>
    </main>
  );
};
