import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

/**
 * Indicators are created and edited through the API as predictions are: analysts only, a 400
 * naming each bad field with nothing written, 409 for a slug in use, and the slug fixed once made.
 */
describe('indicators: create and edit', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const indicator = { slug: 'fab-utilisation', name: 'Fab utilisation', description: 'Share of capacity in use at the leading fabs.', unit: '%' };
  const fields = (body: { errors: { field: string }[] }) => body.errors.map((error) => error.field);

  it('creates an indicator that reads back by slug, with no links or readings', async () => {
    const created = await t.http.post('/v1/indicators').set(auth(analyst)).send(indicator);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...indicator, id: expect.any(String), createdAt: expect.any(String) });
    const read = await t.http.get('/v1/indicators/fab-utilisation').set(auth(viewer));
    expect(read.body).toMatchObject(indicator);
    expect((await t.http.get('/v1/indicators/fab-utilisation/links').set(auth(viewer))).body.items).toEqual([]);
  });

  it('takes the description as optional (empty)', async () => {
    const created = await t.http.post('/v1/indicators').set(auth(analyst)).send({ slug: 'node-count', name: 'Node count', unit: 'nodes' });
    expect(created.status).toBe(201);
    expect(created.body.description).toBe('');
  });

  it('answers 409 slug-taken naming the slug for a slug in use, and writes nothing', async () => {
    const before = await t.prisma.indicator.count();
    const again = await t.http.post('/v1/indicators').set(auth(analyst)).send({ ...indicator, name: 'Another' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringContaining('slug-taken'), errors: [{ field: 'slug' }] });
    expect(await t.prisma.indicator.count()).toBe(before);
  });

  it.each([
    [{ ...indicator, slug: 'Not A Slug' }, 'slug'],
    [{ ...indicator, slug: undefined }, 'slug'],
    [{ ...indicator, slug: 'blank-name', name: '   ' }, 'name'],
    [{ ...indicator, slug: 'no-unit', unit: undefined }, 'unit'],
    [{ ...indicator, slug: 'long-unit', unit: 'u'.repeat(51) }, 'unit'],
    [{ ...indicator, slug: 'number-name', name: 42 }, 'name'],
    [{ ...indicator, slug: 'extra', threshold: 3 }, 'threshold'],
  ])('refuses %j with a 400 naming %s and creates nothing', async (body, field) => {
    const before = await t.prisma.indicator.count();
    const response = await t.http.post('/v1/indicators').set(auth(analyst)).send(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(fields(response.body)).toContain(field);
    expect(await t.prisma.indicator.count()).toBe(before);
  });

  it('answers a retry with the same Idempotency-Key with the first answer, creating one indicator', async () => {
    const body = { slug: 'retried-indicator', name: 'Retried', unit: 'count' };
    const first = await t.http.post('/v1/indicators').set(auth(analyst)).set('Idempotency-Key', 'indicator-retry-1').send(body);
    const retry = await t.http.post('/v1/indicators').set(auth(analyst)).set('Idempotency-Key', 'indicator-retry-1').send(body);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.id).toBe(first.body.id);
    expect(await t.prisma.indicator.count({ where: { slug: 'retried-indicator' } })).toBe(1);
  });

  it('edits name, description and unit, by slug or id, leaving out what is not sent', async () => {
    const edited = await t.http.patch('/v1/indicators/fab-utilisation').set(auth(analyst)).send({ name: 'Leading-fab utilisation' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ slug: 'fab-utilisation', name: 'Leading-fab utilisation', unit: '%', description: indicator.description });
    const byId = await t.http.patch(`/v1/indicators/${edited.body.id}`).set(auth(analyst)).send({ unit: 'percent', description: '' });
    expect(byId.status).toBe(200);
    expect(await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'fab-utilisation' } })).toMatchObject({ name: 'Leading-fab utilisation', unit: 'percent', description: '' });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: null }, 'name'],
    [{ unit: '  ' }, 'unit'],
    [{ slug: 'renamed' }, 'slug'],
    [{}, 'body'],
  ])('refuses the edit %j with a 400 naming %s and changes nothing', async (body, field) => {
    const before = await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'fab-utilisation' } });
    const response = await t.http.patch('/v1/indicators/fab-utilisation').set(auth(analyst)).send(body);
    expect(response.status).toBe(400);
    expect(fields(response.body)).toContain(field);
    expect(await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'fab-utilisation' } })).toEqual(before);
  });

  it('404s an edit of an unknown indicator', async () => {
    const response = await t.http.patch('/v1/indicators/no-such-indicator').set(auth(analyst)).send({ name: 'x' });
    expect(response.status).toBe(404);
    expect(response.body.type).toContain('indicator-not-found');
  });

  it('lets only analysts create and edit', async () => {
    const before = await t.prisma.indicator.count();
    expect((await t.http.post('/v1/indicators').set(auth(viewer)).send({ slug: 'viewer-made', name: 'Viewer', unit: 'x' })).status).toBe(403);
    expect((await t.http.patch('/v1/indicators/fab-utilisation').set(auth(viewer)).send({ name: 'Viewer edit' })).status).toBe(403);
    expect((await t.http.post('/v1/indicators').send({ slug: 'anonymous', name: 'Anonymous', unit: 'x' })).status).toBe(401);
    expect(await t.prisma.indicator.count()).toBe(before);
    expect((await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'fab-utilisation' } })).name).toBe('Leading-fab utilisation');
  });
});
