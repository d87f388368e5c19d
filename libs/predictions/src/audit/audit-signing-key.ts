import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

/** AUDIT_PREVIOUS_SIGNING_KEY, the key a configured rotation replaces; null when unset. */
export function previousSigningKey(config: Pick<AppConfig, 'AUDIT_PREVIOUS_SIGNING_KEY'>): KeyObject | null {
  return config.AUDIT_PREVIOUS_SIGNING_KEY ? parseSigningKey(config.AUDIT_PREVIOUS_SIGNING_KEY, 'AUDIT_PREVIOUS_SIGNING_KEY') : null;
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

/** Where a rotation writes the next key before it becomes the key file (see `replaceKeyFile`). */
function nextKeyFile(config: Pick<AppConfig, 'DATA_DIR'>): string {
  return `${signingKeyFile(config)}.next`;
}

/** A new Ed25519 key, written to DATA_DIR beside the current one (mode 0600) until the rotation is recorded. */
export async function writeNextSigningKey(config: Pick<AppConfig, 'DATA_DIR'>): Promise<KeyObject> {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await writeFile(nextKeyFile(config), pem, { mode: 0o600 });
  await chmod(nextKeyFile(config), 0o600);
  return parseSigningKey(pem, nextKeyFile(config));
}

/** Makes the next key the key file once its rotation is recorded; the old private key is gone after this. */
export async function replaceKeyFile(config: Pick<AppConfig, 'DATA_DIR'>): Promise<void> {
  await rename(nextKeyFile(config), signingKeyFile(config));
}

/** Drops a next key whose rotation was not recorded. */
export async function discardNextKey(config: Pick<AppConfig, 'DATA_DIR'>): Promise<void> {
  await rm(nextKeyFile(config), { force: true });
}

/** The next key of a rotation that was recorded but not yet moved into place (the process stopped in between), if any. */
export async function pendingNextKey(config: Pick<AppConfig, 'DATA_DIR'>): Promise<KeyObject | null> {
  try {
    return parseSigningKey(await readFile(nextKeyFile(config), 'utf8'), nextKeyFile(config));
  } catch {
    return null;
  }
}
