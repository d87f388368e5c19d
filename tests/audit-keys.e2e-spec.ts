import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

import { EXIT_INVALID_CONFIG } from '#config';
import { keyIdOf } from '#core';
import { startApiProcess, stopProcess } from '#test/app-processes.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const API_ENTRY = join(process.cwd(), 'dist/apps/api/src/main.js');
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Starts the built API with `env` and waits for it to end (it is expected to refuse to start). */
function refusedStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [API_ENTRY], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/**
 * The signing key in queue mode: one key shared by every process, checked at
 * start against the deployment's; rotated by a restart with the new key and the
 * old one, after which each vouches for the other and old heads keep verifying.
 */
describe('audit signing keys with DATABASE_URL: shared, checked at start, rotated', () => {
  const first = pem();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUDIT_SIGNING_KEY: first } });
  });
  afterAll(() => t.close());

  const evidence = (summary: string) => ({ summary, observedAt: new Date().toISOString(), impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 }] });

  it('lists the key with the time it came into use, and refuses a rotation through the API when the key is configured', async () => {
    const viewer = await t.keyFor('viewer');
    const keys = await t.http.get('/v1/audit/keys').set(auth(viewer)).expect(200);
    expect(keys.body).toMatchObject({ currentKeyId: keyIdOf(createPrivateKey(first)), items: [{ origin: 'local', current: true, trusted: true, retiredAt: null }], endorsements: [] });
    const rotate = await t.http.post('/v1/audit/keys/rotate').set(auth(t.adminKey));
    expect([rotate.status, rotate.body.type]).toEqual([409, 'https://bellwether.dev/problems/signing-key-configured']);
    expect((await t.http.post('/v1/audit/keys/rotate').set(auth(viewer))).status).toBe(403);
  });

  it('refuses to start without AUDIT_SIGNING_KEY, or with a key other than the deployment\'s', async () => {
    const none = await refusedStart({ DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY: '' });
    expect(none.code).toBe(EXIT_INVALID_CONFIG);
    expect(none.output).toContain('AUDIT_SIGNING_KEY is required with DATABASE_URL');
    const other = await refusedStart({ DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY: pem() });
    expect(other.code).toBe(EXIT_INVALID_CONFIG);
    expect(other.output).toContain("not this deployment's signing key");
  }, 120_000);

  it('rotates by a restart with the new key and the old one: both vouch for each other, old heads verify, and the old key alone no longer starts', async () => {
    await t.http.post('/v1/evidence').set(auth(t.adminKey)).send(evidence('signed with the first key')).expect(201);
    const second = pem();
    const api = await startApiProcess({ DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY: second, AUDIT_PREVIOUS_SIGNING_KEY: first, SEED: 'false', SCHEDULERS: 'false' });
    try {
      const recorded = await fetch(`${api.baseUrl}/v1/evidence`, {
        method: 'POST',
        headers: { ...auth(t.adminKey), 'Content-Type': 'application/json' },
        body: JSON.stringify(evidence('signed with the second key')),
      });
      expect(recorded.status).toBe(201);
      const keys = (await (await fetch(`${api.baseUrl}/v1/audit/keys`, { headers: auth(t.adminKey) })).json()) as {
        currentKeyId: string;
        items: { keyId: string; retiredAt: string | null; trusted: boolean }[];
        endorsements: { endorserKeyId: string; subjectKeyId: string; relation: string }[];
      };
      const [firstId, secondId] = [keyIdOf(createPrivateKey(first)), keyIdOf(createPrivateKey(second))];
      expect(keys.currentKeyId).toBe(secondId);
      expect(keys.items.find((key) => key.keyId === firstId)).toMatchObject({ retiredAt: expect.any(String), trusted: true });
      expect(keys.endorsements.map((endorsement) => [endorsement.endorserKeyId, endorsement.subjectKeyId, endorsement.relation]).sort()).toEqual(
        [
          [firstId, secondId, 'successor'],
          [secondId, firstId, 'predecessor'],
        ].sort(),
      );
      const verify = (await (await fetch(`${api.baseUrl}/v1/audit/verify`, { headers: auth(t.adminKey) })).json()) as { ok: boolean };
      expect(verify).toMatchObject({ ok: true, brokenCount: 0 });
      const heads = await t.prisma.chainHeadSignature.findMany({ select: { keyId: true } });
      expect(new Set(heads.map((head) => head.keyId))).toEqual(new Set([firstId, secondId]));
    } finally {
      await stopProcess(api.child);
    }
    const retired = await refusedStart({ DATABASE_URL: t.database.url, AUDIT_SIGNING_KEY: first });
    expect(retired.code).toBe(EXIT_INVALID_CONFIG);
    expect(retired.output).toContain('was retired at');
  }, 120_000);
});
