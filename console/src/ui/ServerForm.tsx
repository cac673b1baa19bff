import { type FormEvent, useState } from 'react';
import type { Server, ServerInput } from '../api/opsTypes';
import { ErrorMessage, Field } from './components';

interface Props {
  /** The server being edited; absent for a new one. */
  server?: Server;
  saving: boolean;
  error: unknown;
  onSave(input: Partial<ServerInput>): void;
  onCancel(): void;
}

/**
 * Adds or edits a server. The private key is typed or read from a file in the browser (it never
 * leaves it but to the API), and on edit left empty to keep the saved one: the API never shows it.
 */
export const ServerForm = ({ server, saving, error, onSave, onCancel }: Props) => {
  const [name, setName] = useState(server?.name ?? '');
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(String(server?.port ?? 22));
  const [username, setUsername] = useState(server?.username ?? '');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [fingerprint, setFingerprint] = useState(server?.hostKeyFingerprint ?? '');

  const readKeyFile = async (file: File | undefined) => {
    if (file) setPrivateKey(await file.text());
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const portNumber = Number(port);
    onSave({
      name,
      host,
      // A port that is not a number goes as typed, for the API to name it.
      ...(port === '' ? {} : { port: Number.isInteger(portNumber) ? portNumber : (port as unknown as number) }),
      username,
      ...(privateKey ? { privateKey } : {}),
      ...(passphrase ? { passphrase } : {}),
      ...(fingerprint && fingerprint !== server?.hostKeyFingerprint ? { hostKeyFingerprint: fingerprint } : {}),
    });
  };

  return (
    <form className="ops-form" onSubmit={submit} aria-label={server ? `Edit ${server.name}` : 'Add a server'}>
      <div className="form-grid">
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Host">
          <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="web1.example.com" required />
        </Field>
        <Field label="Port">
          <input value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" />
        </Field>
        <Field label="Username">
          <input value={username} onChange={(e) => setUsername(e.target.value)} required />
        </Field>
      </div>
      <Field
        label="Private key"
        hint={
          server
            ? 'Leave empty to keep the saved key. A saved key is never shown again.'
            : 'PEM (or base64 of PEM). Never shown again after saving.'
        }
      >
        <textarea
          className="mono key-input"
          value={privateKey}
          onChange={(e) => setPrivateKey(e.target.value)}
          rows={5}
          spellCheck={false}
          autoComplete="off"
          placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
          required={!server}
        />
      </Field>
      <Field label="…or read the key from a file">
        <input type="file" onChange={(e) => void readKeyFile(e.target.files?.[0])} />
      </Field>
      <div className="form-grid">
        <Field label="Passphrase (optional)">
          <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Host key fingerprint (optional)" hint="SHA256:…; without it, the first connection pins it">
          <input className="mono" value={fingerprint} onChange={(e) => setFingerprint(e.target.value)} />
        </Field>
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save server'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
};
