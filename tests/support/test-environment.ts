import { generateKeyPairSync } from 'node:crypto';

/**
 * Jest's setup for every suite: with DATABASE_URL set, every process must be
 * given the audit signing key (AUDIT_SIGNING_KEY), as in production. One key for
 * the whole run, so the apps a suite boots and the processes it spawns (which
 * inherit the environment) sign with the same key. A suite that needs a key of
 * its own passes it in `env`.
 */
process.env.AUDIT_SIGNING_KEY ??= generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export const TEST_AUDIT_SIGNING_KEY = process.env.AUDIT_SIGNING_KEY;
