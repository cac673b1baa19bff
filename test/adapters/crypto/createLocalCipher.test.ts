import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalCipher,
  DecryptError,
  LocalKeyError,
  loadOrCreateLocalCipher,
  localKeyPath,
  MAX_SECRET_BYTES,
  SecretSizeError,
} from '../../../lambdas/adapters/crypto';

const SECRET = '{"password":"hunter2-ÆØÅ-🔑"}';

/** The ciphertext with one base64url character of part `index` (0 version, 1 iv, 2 body) changed. */
const tamper = (ciphertext: string, index: number, at = 3): string => {
  const parts = ciphertext.split('.');
  const part = parts[index]!;
  parts[index] = part.slice(0, at) + (part[at] === 'A' ? 'B' : 'A') + part.slice(at + 1);
  return parts.join('.');
};

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('createLocalCipher', () => {
  const cipher = createLocalCipher({ key: randomBytes(32) });

  it('decrypts what it encrypted for the same tenant', async () => {
    const stored = await cipher.encrypt('acme', SECRET);

    expect(stored).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain('hunter2');
    expect(await cipher.decrypt('acme', stored)).toBe(SECRET);
  });

  it('gives a different ciphertext each time the same text is encrypted', async () => {
    const [a, b] = await Promise.all([cipher.encrypt('acme', SECRET), cipher.encrypt('acme', SECRET)]);

    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('refuses a ciphertext copied to another tenant', async () => {
    const stored = await cipher.encrypt('acme', SECRET);

    const err = await rejection(cipher.decrypt('globex', stored));

    expect(err).toBeInstanceOf(DecryptError);
    expect(err).toMatchObject({ code: 'internal', tenant: 'globex', reason: 'rejected' });
  });

  it.each([
    ['the iv', 1],
    ['the ciphertext', 2],
  ])('refuses a ciphertext whose %s was altered', async (_, index) => {
    const stored = await cipher.encrypt('acme', SECRET);

    await expect(cipher.decrypt('acme', tamper(stored, index))).rejects.toMatchObject({ name: 'DecryptError', reason: 'rejected' });
  });

  it('refuses a ciphertext whose authentication tag was altered', async () => {
    const stored = await cipher.encrypt('acme', SECRET);
    const body = stored.split('.')[2]!;

    await expect(cipher.decrypt('acme', tamper(stored, 2, body.length - 4))).rejects.toMatchObject({ reason: 'rejected' });
  });

  it('refuses a ciphertext made with another key', async () => {
    const stored = await createLocalCipher({ key: randomBytes(32) }).encrypt('acme', SECRET);

    await expect(cipher.decrypt('acme', stored)).rejects.toMatchObject({ name: 'DecryptError', reason: 'rejected' });
  });

  it.each([
    ['an empty string', ''],
    ['another version', 'v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a KMS ciphertext', 'kms1.AQIDBA=='],
    ['a short iv', 'v1.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no room for a tag', 'v1.AAAAAAAAAAAAAAAA.AAAA'],
    ['an extra part', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA.AA'],
    ['non-base64url characters', 'v1.AAAAAAAAAAAAAAAA.AAAA+AAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses %s as malformed', async (_, text) => {
    await expect(cipher.decrypt('acme', text)).rejects.toMatchObject({ name: 'DecryptError', reason: 'malformed' });
  });

  it('refuses a non-canonical encoding of a valid ciphertext', async () => {
    // 17 bytes of body+tag leave 2 spare bits in the last base64url character; setting one decodes to the same bytes.
    const stored = await cipher.encrypt('acme', 'x');
    const body = stored.split('.')[2]!;
    const last = body.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) + 1]!;
    const forged = `${stored.slice(0, -1)}${sibling}`;

    expect(Buffer.from(forged.split('.')[2]!, 'base64url')).toEqual(Buffer.from(body, 'base64url'));
    await expect(cipher.decrypt('acme', forged)).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('says nothing of the plaintext or the key in a decrypt error', async () => {
    const key = randomBytes(32);
    const own = createLocalCipher({ key });
    const stored = await own.encrypt('acme', SECRET);

    const err = (await rejection(own.decrypt('globex', stored))) as Error;

    for (const leak of ['hunter2', key.toString('hex'), key.toString('base64'), stored]) expect(err.message).not.toContain(leak);
    expect(err.message).toBe(
      'cannot decrypt a secret of tenant globex: the ciphertext was altered, belongs to another tenant, or was made with another key',
    );
  });

  it(`accepts a secret of exactly ${MAX_SECRET_BYTES} bytes and refuses a larger or empty one, as KMS does`, async () => {
    const largest = 'é'.repeat(MAX_SECRET_BYTES / 2);

    expect(await cipher.decrypt('acme', await cipher.encrypt('acme', largest))).toBe(largest);
    const tooLarge = await rejection(cipher.encrypt('acme', `${largest}x`));
    expect(tooLarge).toBeInstanceOf(SecretSizeError);
    expect(tooLarge).toMatchObject({ code: 'invalid_input', field: 'value', sizeBytes: 4097, limitBytes: 4096 });
    expect((tooLarge as Error).message).toContain('4096 bytes');
    await expect(cipher.encrypt('acme', '')).rejects.toMatchObject({ code: 'invalid_input', sizeBytes: 0 });
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createLocalCipher({ key: randomBytes(16) })).toThrow(LocalKeyError);
  });

  it('keeps working after the caller zeroes the key buffer it passed', async () => {
    const key = randomBytes(32);
    const own = createLocalCipher({ key });
    const stored = await own.encrypt('acme', SECRET);
    const copy = createLocalCipher({ key: Buffer.from(key) });

    key.fill(0);

    expect(await own.decrypt('acme', stored)).toBe(SECRET);
    expect(await copy.decrypt('acme', await own.encrypt('acme', SECRET))).toBe(SECRET);
  });
});

describe('loadOrCreateLocalCipher', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cronium-cipher-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates <dataDir>/secret.key with 32 random bytes, readable by its owner only', async () => {
    await loadOrCreateLocalCipher({ dataDir });

    const path = join(dataDir, 'secret.key');
    expect(localKeyPath(dataDir)).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path)).length).toBe(32);
  });

  it('creates the data directory when it does not exist yet', async () => {
    const nested = join(dataDir, 'a', 'b');

    await loadOrCreateLocalCipher({ dataDir: nested });

    expect((await stat(localKeyPath(nested))).isFile()).toBe(true);
  });

  it('reuses the key file: a second cipher decrypts what the first encrypted', async () => {
    const first = await loadOrCreateLocalCipher({ dataDir });
    const before = await readFile(localKeyPath(dataDir));
    const stored = await first.encrypt('acme', SECRET);

    const second = await loadOrCreateLocalCipher({ dataDir });

    expect(await second.decrypt('acme', stored)).toBe(SECRET);
    expect(await readFile(localKeyPath(dataDir))).toEqual(before);
  });

  it('ends with one key when several start at once on an empty data directory', async () => {
    const ciphers = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateLocalCipher({ dataDir })));
    const stored = await ciphers[0]!.encrypt('acme', SECRET);

    for (const c of ciphers) expect(await c.decrypt('acme', stored)).toBe(SECRET);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses a key file with mode %o, saying how to fix it', async (mode) => {
    const path = localKeyPath(dataDir);
    await writeFile(path, randomBytes(32), { mode: 0o600 });
    await chmod(path, mode);

    const err = await rejection(loadOrCreateLocalCipher({ dataDir }));

    expect(err).toBeInstanceOf(LocalKeyError);
    expect((err as Error).message).toBe(
      `secret key file ${path}: is open to group or others (mode 0${mode.toString(8)}); refusing to use it. Restrict it with: chmod 600 ${path}`,
    );
  });

  it('refuses a key file of the wrong size instead of replacing it', async () => {
    const path = localKeyPath(dataDir);
    await writeFile(path, 'not a key\n', { mode: 0o600 });

    await expect(loadOrCreateLocalCipher({ dataDir })).rejects.toThrow(
      `secret key file ${path}: holds 10 bytes, not the 32 of an AES-256 key`,
    );
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });

  it('refuses a key file that is a directory', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(localKeyPath(dataDir), { mode: 0o700 });

    await expect(loadOrCreateLocalCipher({ dataDir })).rejects.toBeInstanceOf(LocalKeyError);
  });
});
