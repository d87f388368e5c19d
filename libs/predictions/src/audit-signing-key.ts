import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidConfigError, type AppConfig } from '#config';

/** Where a generated key is kept when AUDIT_SIGNING_KEY is unset. */
export function signingKeyFile(config: Pick<AppConfig, 'DATA_DIR'>): string {
  return join(config.DATA_DIR, 'audit-signing-key.pem');
}

/**
 * The Ed25519 key that signs audit checkpoints: AUDIT_SIGNING_KEY (PEM, or
 * base64 DER), else the key file in DATA_DIR, generated on first start with
 * mode 0600. Several processes starting at once on one DATA_DIR keep the
 * first one written (exclusive create), so they all sign with the same key.
 */
export async function loadAuditSigningKey(config: Pick<AppConfig, 'AUDIT_SIGNING_KEY' | 'DATA_DIR'>): Promise<KeyObject> {
  if (config.AUDIT_SIGNING_KEY) return parseSigningKey(config.AUDIT_SIGNING_KEY, 'AUDIT_SIGNING_KEY');
  const file = signingKeyFile(config);
  try {
    return parseSigningKey(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseSigningKey(await readFile(file, 'utf8'), file);
}

function parseSigningKey(text: string, origin: string): KeyObject {
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN') ? createPrivateKey(text) : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new InvalidConfigError([`${origin} is not a PKCS#8 private key (PEM, or DER in base64)`]);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidConfigError([`${origin} must be an Ed25519 key, not ${key.asymmetricKeyType}`]);
  }
  return key;
}
