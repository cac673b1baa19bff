import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidKeyError, validatePrivateKey } from '../../../lambdas/adapters/ssh';

let dir: string;
const keys = { plain: '', plainPub: '', fingerprint: '', encrypted: '', rsaPem: '' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cronium-keys-'));
  const keygen = (...args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'ignore' });
  keygen('-t', 'ed25519', '-N', '', '-f', join(dir, 'plain'));
  // One KDF round: decrypting stays fast in the test.
  keygen('-t', 'ed25519', '-a', '1', '-N', 'right horse', '-f', join(dir, 'enc'));
  keygen('-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', join(dir, 'rsa'));
  keys.plain = readFileSync(join(dir, 'plain'), 'utf8');
  keys.plainPub = readFileSync(join(dir, 'plain.pub'), 'utf8');
  keys.fingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'plain.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  keys.encrypted = readFileSync(join(dir, 'enc'), 'utf8');
  keys.rsaPem = readFileSync(join(dir, 'rsa'), 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rejection = (input: { privateKey: string; passphrase?: string }): InvalidKeyError => {
  try {
    validatePrivateKey(input);
  } catch (err) {
    return err as InvalidKeyError;
  }
  throw new Error('accepted');
};

describe('validatePrivateKey', () => {
  it('accepts an OpenSSH PEM key and fingerprints its public half as ssh-keygen does', () => {
    const key = validatePrivateKey({ privateKey: keys.plain });
    expect(key.type).toBe('ssh-ed25519');
    expect(key.fingerprint).toBe(keys.fingerprint);
  });

  it('accepts base64 of the PEM', () => {
    const key = validatePrivateKey({ privateKey: Buffer.from(keys.plain).toString('base64') });
    expect(key.fingerprint).toBe(keys.fingerprint);
  });

  it('accepts a PEM RSA key', () => {
    expect(validatePrivateKey({ privateKey: keys.rsaPem }).type).toBe('ssh-rsa');
  });

  it('accepts an encrypted key with its passphrase', () => {
    expect(validatePrivateKey({ privateKey: keys.encrypted, passphrase: 'right horse' }).type).toBe('ssh-ed25519');
  });

  it('names the passphrase when an encrypted key comes without one', () => {
    const err = rejection({ privateKey: keys.encrypted });
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect(err.code).toBe('invalid_input');
    expect(err.field).toBe('passphrase');
  });

  it('names the passphrase when it is wrong, without echoing it', () => {
    const err = rejection({ privateKey: keys.encrypted, passphrase: 'wrong battery' });
    expect(err.field).toBe('passphrase');
    expect(err.message).not.toContain('wrong battery');
  });

  it('names the private key for garbage, without echoing it', () => {
    const err = rejection({ privateKey: 'not a key at all: s3cr3t-material' });
    expect(err.field).toBe('privateKey');
    expect(err.message).not.toContain('s3cr3t');
  });

  it('names the private key for a damaged PEM, without echoing any of it', () => {
    const damaged = keys.plain.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA');
    const err = rejection({ privateKey: damaged });
    expect(err.field).toBe('privateKey');
    for (const line of damaged.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) {
      expect(err.message).not.toContain(line.slice(0, 16));
    }
  });

  it('refuses a public key where the private key belongs', () => {
    expect(rejection({ privateKey: keys.plainPub }).field).toBe('privateKey');
  });
});
