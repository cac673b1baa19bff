import { DecryptCommand, EncryptCommand, IncorrectKeyException, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CipherError, createKmsCipher, DecryptError, SecretSizeError } from '../../../lambdas/adapters/crypto';

const keyId = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const cipher = createKmsCipher({ client: new KMSClient({ region: 'eu-west-1' }), keyId });
const SECRET = '{"password":"hunter2-ÆØÅ"}';

const kmsError = (name: string, message = name) => Object.assign(new Error(message), { name, $fault: 'client' });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * A KMS stand-in with KMS's rules: a blob decrypts only with the key and encryption context it
 * was made with; anything else is an InvalidCiphertextException (IncorrectKeyException for
 * another key).
 */
const fakeKms = () => {
  const blobs = new Map<string, { plaintext: Buffer; context: string; keyId: string }>();
  let n = 0;
  kms.on(EncryptCommand).callsFake(async (input: EncryptCommand['input']) => {
    const blob = Buffer.from(`blob-${++n}-${'x'.repeat(20)}`);
    blobs.set(blob.toString('hex'), {
      plaintext: Buffer.from(input.Plaintext!),
      context: JSON.stringify(input.EncryptionContext),
      keyId: input.KeyId!,
    });
    return { CiphertextBlob: new Uint8Array(blob), KeyId: input.KeyId };
  });
  kms.on(DecryptCommand).callsFake(async (input: DecryptCommand['input']) => {
    const found = blobs.get(Buffer.from(input.CiphertextBlob!).toString('hex'));
    if (found && input.KeyId !== undefined && input.KeyId !== found.keyId) {
      throw new IncorrectKeyException({
        message: 'The key ID in the request does not identify a KMS key that can perform this operation.',
        $metadata: {},
      });
    }
    if (!found || JSON.stringify(input.EncryptionContext) !== found.context) {
      throw new InvalidCiphertextException({ message: '', $metadata: {} });
    }
    return { Plaintext: new Uint8Array(found.plaintext), KeyId: found.keyId };
  });
};

const encryptInputs = () => kms.commandCalls(EncryptCommand).map((c) => c.args[0].input);
const decryptInputs = () => kms.commandCalls(DecryptCommand).map((c) => c.args[0].input);

describe('createKmsCipher', () => {
  beforeEach(() => {
    kms.reset();
    fakeKms();
  });
  afterAll(() => kms.restore());

  it('asks KMS to encrypt the UTF-8 bytes with its key and the tenant as encryption context', async () => {
    await cipher.encrypt('acme', SECRET);

    expect(encryptInputs()).toHaveLength(1);
    const input = encryptInputs()[0]!;
    expect(input.KeyId).toBe(keyId);
    expect(input.EncryptionContext).toStrictEqual({ tenant: 'acme' });
    expect(Buffer.from(input.Plaintext!).toString('utf8')).toBe(SECRET);
  });

  it('returns kms1.<base64 CiphertextBlob>', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([1, 2, 3, 250, 251, 252]) });

    expect(await cipher.encrypt('acme', SECRET)).toBe(`kms1.${Buffer.from([1, 2, 3, 250, 251, 252]).toString('base64')}`);
  });

  it('decrypts its own ciphertext through KMS with the same key and tenant context', async () => {
    const stored = await cipher.encrypt('acme', SECRET);

    expect(await cipher.decrypt('acme', stored)).toBe(SECRET);
    const input = decryptInputs()[0]!;
    expect(input).toMatchObject({ KeyId: keyId, EncryptionContext: { tenant: 'acme' } });
    expect(Buffer.from(input.CiphertextBlob!).toString('base64')).toBe(stored.slice('kms1.'.length));
  });

  it('refuses a ciphertext copied to another tenant as a DecryptError', async () => {
    const stored = await cipher.encrypt('acme', SECRET);

    const err = await rejection(cipher.decrypt('globex', stored));

    expect(err).toBeInstanceOf(DecryptError);
    expect(err).toMatchObject({ code: 'internal', tenant: 'globex', reason: 'rejected', cause: { name: 'InvalidCiphertextException' } });
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('refuses an altered ciphertext as a DecryptError', async () => {
    const stored = await cipher.encrypt('acme', SECRET);
    const altered = `kms1.${Buffer.from('blob-99-forged-forged-forged').toString('base64')}`;

    expect(altered).not.toBe(stored);
    await expect(cipher.decrypt('acme', altered)).rejects.toMatchObject({ name: 'DecryptError', reason: 'rejected' });
  });

  it('refuses a ciphertext of another KMS key as a DecryptError', async () => {
    const other = createKmsCipher({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/other' });
    const stored = await other.encrypt('acme', SECRET);

    await expect(cipher.decrypt('acme', stored)).rejects.toMatchObject({
      name: 'DecryptError',
      reason: 'rejected',
      cause: { name: 'IncorrectKeyException' },
    });
  });

  it.each([
    ['a local ciphertext', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no blob', 'kms1.'],
    ['a blob that is not base64', 'kms1.not base64!'],
    ['a non-canonical base64 blob', 'kms1.AQIDBB=='],
  ])('refuses %s as malformed without calling KMS', async (_, text) => {
    await expect(cipher.decrypt('acme', text)).rejects.toMatchObject({ name: 'DecryptError', reason: 'malformed' });
    expect(decryptInputs()).toHaveLength(0);
  });

  it('wraps any other KMS failure of decrypt in a CipherError with the SDK error as cause', async () => {
    const denied = kmsError('AccessDeniedException', 'User is not authorized to perform kms:Decrypt');
    kms.on(DecryptCommand).rejects(denied);

    const err = await rejection(cipher.decrypt('acme', 'kms1.AQIDBA=='));

    expect(err).toBeInstanceOf(CipherError);
    expect(err).toMatchObject({ code: 'internal', operation: 'decrypt', keyId, cause: denied });
  });

  it('wraps a KMS failure of encrypt in a CipherError with the SDK error as cause', async () => {
    const disabled = kmsError('DisabledException');
    kms.on(EncryptCommand).rejects(disabled);

    await expect(cipher.encrypt('acme', SECRET)).rejects.toMatchObject({ name: 'CipherError', operation: 'encrypt', cause: disabled });
  });

  it('treats an answer without a blob or plaintext as a failure, not as an empty secret', async () => {
    kms.on(EncryptCommand).resolves({});
    kms.on(DecryptCommand).resolves({});

    await expect(cipher.encrypt('acme', SECRET)).rejects.toBeInstanceOf(CipherError);
    await expect(cipher.decrypt('acme', 'kms1.AQIDBA==')).rejects.toBeInstanceOf(CipherError);
  });

  it('refuses a plaintext over the 4096-byte KMS limit before calling KMS', async () => {
    const err = await rejection(cipher.encrypt('acme', 'ü'.repeat(2049)));

    expect(err).toBeInstanceOf(SecretSizeError);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'value', sizeBytes: 4098, limitBytes: 4096 });
    expect((err as Error).message).toContain('4096 bytes');
    expect(encryptInputs()).toHaveLength(0);
  });

  it('sends a plaintext of exactly 4096 bytes', async () => {
    const largest = 'a'.repeat(4096);

    expect(await cipher.decrypt('acme', await cipher.encrypt('acme', largest))).toBe(largest);
  });

  it('refuses an empty plaintext, which KMS would reject', async () => {
    await expect(cipher.encrypt('acme', '')).rejects.toMatchObject({ name: 'SecretSizeError', sizeBytes: 0 });
    expect(encryptInputs()).toHaveLength(0);
  });
});
