import { startSmtpSink, type SmtpSink } from '#test/smtp-sink.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { until } from '#test/wait.js';

/**
 * People through the API: invitations by mail (a real SMTP server on 127.0.0.1), roles, disabling
 * (every key of the person stops on the next request), keys per person, and one person on the
 * leaderboard whichever of their keys they forecast with.
 */
describe('/v1/users and /v1/me', () => {
  let t: TestApp;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ queue: 'postgres', env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://bellwether.example' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function invite(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const invited = await t.http.post('/v1/users').set(auth(t.adminKey)).send(body);
    expect(invited.status).toBe(201);
    const key = await t.http.post(`/v1/users/${invited.body.id}/keys`).set(auth(t.adminKey)).send({ name: `${String(body.name)} key` });
    expect(key.status).toBe(201);
    return { id: invited.body.id, key: key.body.key };
  }

  it('says who a key is', async () => {
    const me = await t.http.get('/v1/me').set(auth(t.adminKey));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'bootstrap admin', role: 'admin', userRole: 'admin', actor: `user:${me.body.userId}`, key: { name: 'bootstrap admin', userId: me.body.userId } });
  });

  it('invites a person by email: creates them and mails the invitation through the SMTP transport', async () => {
    const invited = await t.http.post('/v1/users').set(auth(t.adminKey)).send({ name: 'Ada Analyst', email: 'Ada@Example.org', role: 'analyst' });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ name: 'Ada Analyst', email: 'ada@example.org', role: 'analyst', disabled: false, invitationSent: true, actor: `user:${invited.body.id}` });
    await until(() => smtp.to('ada@example.org').length === 1);
    const mail = smtp.to('ada@example.org')[0]!;
    expect(mail.subject).toBe('You are invited to Bellwether');
    expect(mail.text).toContain('bootstrap admin has invited you to Bellwether as an analyst');
    expect(mail.text).toContain('https://bellwether.example/app/sign-in');

    const again = await t.http.post('/v1/users').set(auth(t.adminKey)).send({ name: 'Ada Again', email: 'ADA@example.org', role: 'viewer' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
  });

  it('refuses bad input with the field named, and non-admins', async () => {
    const bad = await t.http.post('/v1/users').set(auth(t.adminKey)).send({ name: 'X', email: 'not-an-address', role: 'analyst' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('email');
    const badRole = await t.http.patch(`/v1/users/${(await t.http.get('/v1/me').set(auth(t.adminKey))).body.userId}`).set(auth(t.adminKey)).send({ role: 'owner' });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.body)).toContain('role');
    const analyst = await t.keyFor('analyst');
    expect((await t.http.get('/v1/users').set(auth(analyst))).status).toBe(403);
    expect((await t.http.post('/v1/users').set(auth(analyst)).send({ name: 'Eve', email: 'eve@example.org', role: 'admin' })).status).toBe(403);
    expect((await t.http.get('/v1/users/01930000-0000-7000-8000-000000000000').set(auth(t.adminKey))).status).toBe(404);
  });

  it("changes a person's role for every key of theirs, and a key never holds more than its person", async () => {
    const grace = await invite({ name: 'Grace', email: 'grace@example.org', role: 'analyst' });
    const before = await t.http.post('/v1/predictions/deepseek-blacklisted-12m/forecasts').set(auth(grace.key)).send({ probability: 0.4 });
    expect(before.status).toBe(201);
    await t.http.patch(`/v1/users/${grace.id}`).set(auth(t.adminKey)).send({ role: 'viewer' }).expect(200);
    // The cached key is dropped at once: the next request is a viewer's.
    expect((await t.http.post('/v1/predictions/deepseek-blacklisted-12m/forecasts').set(auth(grace.key)).send({ probability: 0.5 })).status).toBe(403);
    expect((await t.http.get('/v1/me').set(auth(grace.key))).body).toMatchObject({ role: 'viewer', userRole: 'viewer' });
    const adminKeyForViewer = await t.http.post(`/v1/users/${grace.id}/keys`).set(auth(t.adminKey)).send({ name: 'too much', role: 'admin' });
    expect(adminKeyForViewer.body.role).toBe('viewer');
  });

  it('disabling a person stops every key of theirs on the next request; enabling brings them back', async () => {
    const hal = await invite({ name: 'Hal', email: 'hal@example.org', role: 'analyst' });
    const second = await t.http.post(`/v1/users/${hal.id}/keys`).set(auth(t.adminKey)).send({ name: 'hal second' });
    for (const key of [hal.key, second.body.key as string]) expect((await t.http.get('/v1/me').set(auth(key))).status).toBe(200);
    const disabled = await t.http.patch(`/v1/users/${hal.id}`).set(auth(t.adminKey)).send({ disabled: true });
    expect(disabled.body).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    for (const key of [hal.key, second.body.key as string]) expect((await t.http.get('/v1/me').set(auth(key))).status).toBe(401);
    const shown = await t.http.get(`/v1/users/${hal.id}`).set(auth(t.adminKey));
    expect(shown.body.keys).toHaveLength(2);
    expect(shown.body.lastUsedAt).toEqual(expect.any(String));
    await t.http.patch(`/v1/users/${hal.id}`).set(auth(t.adminKey)).send({ disabled: false }).expect(200);
    expect((await t.http.get('/v1/me').set(auth(hal.key))).status).toBe(200);
  });

  it('never disables or demotes the last admin', async () => {
    const me = await t.http.get('/v1/me').set(auth(t.adminKey));
    const refused = await t.http.patch(`/v1/users/${me.body.userId}`).set(auth(t.adminKey)).send({ disabled: true });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'disabled' })]);
    expect((await t.http.patch(`/v1/users/${me.body.userId}`).set(auth(t.adminKey)).send({ role: 'analyst' })).status).toBe(409);
  });

  it('keeps one person on the leaderboard when their key is replaced, with their name on the trail', async () => {
    const ivy = await invite({ name: 'Ivy', email: 'ivy@example.org', role: 'analyst' });
    const first = (await t.http.get(`/v1/users/${ivy.id}`).set(auth(t.adminKey))).body.keys[0] as { id: string };
    await t.http.post('/v1/predictions/us-china-ai-bifurcation/forecasts').set(auth(ivy.key)).send({ probability: 0.9 }).expect(201);
    const evidence = await t.http
      .post('/v1/evidence')
      .set(auth(ivy.key))
      .send({ summary: 'Ivy saw a report', observedAt: new Date(Date.now() - 60_000).toISOString(), impacts: [{ prediction: 'us-china-ai-bifurcation', likelihoodRatio: 2 }] });
    expect(evidence.status).toBe(201);
    const recorded = await t.http.get(`/v1/evidence/${evidence.body.id}`).set(auth(t.adminKey));
    expect(recorded.body).toMatchObject({ actor: `user:${ivy.id}`, actorName: 'Ivy' });

    // Ivy's key leaks: a new one, the old one revoked.
    const replacement = await t.http.post(`/v1/users/${ivy.id}/keys`).set(auth(t.adminKey)).send({ name: 'Ivy new' });
    await t.http.post(`/v1/api-keys/${first.id}/revoke`).set(auth(t.adminKey)).expect(200);
    expect((await t.http.get('/v1/me').set(auth(ivy.key))).status).toBe(401);
    await t.http.post('/v1/predictions/china-domain-parity/forecasts').set(auth(replacement.body.key)).send({ probability: 0.8 }).expect(201);
    await t.http.post('/v1/predictions/us-china-ai-bifurcation/forecasts').set(auth(replacement.body.key)).send({ probability: 0.85 }).expect(201);
    const history = await t.http.get('/v1/predictions/us-china-ai-bifurcation/forecasts').set(auth(t.adminKey));
    expect(history.body.analysts.filter((analyst: { forecaster: string }) => analyst.forecaster === `user:${ivy.id}`)).toHaveLength(1);

    for (const slug of ['us-china-ai-bifurcation', 'china-domain-parity']) {
      await t.http.post(`/v1/predictions/${slug}/resolve`).set(auth(t.adminKey)).send({ outcome: 'true', note: 'It happened.' }).expect(200);
    }
    const table = await t.http.get('/v1/scorecards').set(auth(t.adminKey));
    const ivyRows = (table.body.leaderboard as { forecaster: string; forecasterName: string; resolved?: number }[]).filter((row) => row.forecaster === `user:${ivy.id}`);
    expect(ivyRows).toHaveLength(1);
    expect(ivyRows[0]!.forecasterName).toBe('Ivy');

    const trail = await t.http.get('/v1/predictions/us-china-ai-bifurcation/audit').set(auth(t.adminKey));
    const names = new Set((trail.body.items as { actor: string; actorName: string }[]).map((entry) => `${entry.actor}=${entry.actorName}`));
    expect(names).toContain(`user:${ivy.id}=Ivy`);
    expect(names).toContain('system:seed=Bellwether (seed)');
  });
});
