import { RoutingModelsService } from '#signals';
import { auth, createTestApp, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

interface Route {
  target: string;
  targetKind: string;
  via: string;
  score: number | null;
  direction: string;
  terms: string[];
  cue: string | null;
  impacts: { prediction: string; predictionSlug: string | null; direction: string; strength: string }[];
}

interface Version {
  version: number;
  status: string;
  examples: number;
  reason: string;
  evaluation: { labelled: { macro: { f1: number } }; crossValidation: { micro: { f1: number } }; holdout: { decisions: number } | null; decisions: number; termSets: number };
}

/** A session cookie for the web app, signed in with `key`. */
async function webSession(t: TestApp, key: string): Promise<string> {
  const form = await t.http.get('/app/login');
  const loginCookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
  const login = await t.http.post('/app/login').set('Cookie', loginCookie).type('form').send({ _csrf: token, key, next: '/app' });
  return (login.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('bw_session='))!.split(';')[0]!;
}

/** The learned second stage of routing: the seeded model, its routes in the API and the inbox, direction on accept, and retraining. */
describe('routing model', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const submit = (items: Record<string, unknown>[]) => t.http.post('/v1/signals').set(auth(analyst)).send({ items });
  const probability = async (slug: string): Promise<number> => (await t.http.get(`/v1/predictions/${slug}`).set(auth(viewer))).body.probability as number;

  it('is trained at seed time from the labelled development set, and shown with its evaluation', async () => {
    const response = await t.http.get('/v1/routing-model').set(auth(viewer));
    expect(response.status).toBe(200);
    const { active, versions } = response.body as { active: Version; versions: Version[] };
    expect(versions).toHaveLength(1);
    expect(active).toMatchObject({ version: 1, status: 'active', examples: 470, reason: expect.stringContaining('seed') });
    expect(active.evaluation.decisions).toBe(0);
    expect(active.evaluation.termSets).toBeGreaterThan(10);
    // Concepts from the seed term sets: cross-validated macro F1 near 0.89 on the labelled set.
    expect(active.evaluation.labelled.macro.f1).toBeGreaterThan(0.8);
  });

  it('suggests an item no rule matched, via the model, with its score, words and direction, in the API and the inbox', async () => {
    const response = await submit([{ title: 'Photonic chip lab in Wuhan gets provincial money', summary: 'The optical computing team will build a prototype.' }]);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ new: 1, matched: 0, suggested: 1 });
    const [routed] = response.body.items as { id: string; status: string; routes: Route[] }[];
    expect(routed!.status).toBe('suggested');
    expect(routed!.routes).toEqual([
      expect.objectContaining({ target: 'china-alt-compute-acceleration', targetKind: 'prediction', via: 'model', score: expect.any(Number), direction: 'supports', terms: expect.arrayContaining([expect.any(String)]) }),
    ]);
    expect(routed!.routes[0]!.impacts).toEqual([expect.objectContaining({ predictionSlug: 'china-alt-compute-acceleration', direction: 'supports' })]);

    const item = (await t.http.get(`/v1/signals/${routed!.id}`).set(auth(viewer))).body as { status: string; routes: Route[]; suggestions: unknown[]; evidenceId: string | null };
    expect(item).toMatchObject({ status: 'suggested', evidenceId: null });
    expect(item.routes).toEqual(routed!.routes);
    expect(item.suggestions).toEqual([expect.objectContaining({ predictionSlug: 'china-alt-compute-acceleration', direction: 'supports', probability: routed!.routes[0]!.score })]);

    const inbox = (await t.http.get('/v1/signals/inbox').set(auth(viewer))).body.items as { id: string; routes: Route[] }[];
    expect(inbox.find((entry) => entry.id === routed!.id)?.routes[0]).toMatchObject({ via: 'model', direction: 'supports' });

    const page = await t.http.get('/app/inbox').set('Cookie', await webSession(t, viewer));
    expect(page.status).toBe(200);
    const card = page.text.slice(page.text.indexOf(`id="signal-${routed!.id}"`));
    expect(card).toMatch(/data-testid="route" data-target="china-alt-compute-acceleration" data-via="model" data-direction="supports"/);
    expect(card).toContain('China accelerates investment in alternative computing architectures');
    expect(card).toMatch(/data-testid="route-probability">60\.0%</);
    expect(card).toMatch(/data-testid="route-score">\d+%</);
  });

  it('records an item that contradicts a prediction with a likelihood ratio below 1: the probability goes down', async () => {
    const response = await submit([{ title: 'Washington officials deny plan to blacklist DeepSeek', summary: 'The Commerce Department will not add the lab to the Entity List, people said.' }]);
    const [routed] = response.body.items as { id: string; status: string; routes: Route[] }[];
    expect(routed!.status).toBe('pending');
    const route = routed!.routes.find((candidate) => candidate.target === 'deepseek-blacklisted-12m')!;
    expect(route).toMatchObject({ via: 'both', direction: 'contradicts', score: expect.any(Number) });
    expect(route.impacts).toEqual([expect.objectContaining({ predictionSlug: 'deepseek-blacklisted-12m', direction: 'contradicts' })]);

    const before = await probability('deepseek-blacklisted-12m');
    const accepted = await t.http.post(`/v1/signals/${routed!.id}/accept`).set(auth(analyst)).send({});
    expect(accepted.status).toBe(201);
    const move = (accepted.body.impacts as { slug: string; likelihoodRatio: number; probabilityBefore: number; probabilityAfter: number }[]).find((impact) => impact.slug === 'deepseek-blacklisted-12m')!;
    expect(move.likelihoodRatio).toBeLessThan(1);
    expect(move.probabilityAfter).toBeLessThan(move.probabilityBefore);
    expect(await probability('deepseek-blacklisted-12m')).toBeLessThan(before);
  });

  it('accepts in the web inbox with the proposed direction by default', async () => {
    // A month before the denial the last test accepted: a story of its own, so the card is this item's.
    const response = await submit([{ title: 'US officials rule out adding DeepSeek to the Entity List', summary: 'Washington will not blacklist the lab for now, officials said.', publishedAt: '2026-01-01T00:00:00Z' }]);
    const [routed] = response.body.items as { id: string; routes: Route[] }[];
    expect(routed!.routes.find((route) => route.target === 'deepseek-blacklisted-12m')?.direction).toBe('contradicts');
    const session = await webSession(t, analyst);
    const page = await t.http.get('/app/inbox').set('Cookie', session);
    const card = page.text.slice(page.text.indexOf(`id="signal-${routed!.id}"`));
    const form = card.slice(0, card.indexOf('</form>'));
    // The form as the browser sends it untouched: each row's prediction, selected direction and strength.
    const fields = {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(form)![1]!,
      prediction: [...form.matchAll(/name="prediction" value="([^"]+)"/g)].map((match) => match[1]!),
      direction: [...form.matchAll(/name="direction">[\s\S]*?<option value="(\w+)" selected/g)].map((match) => match[1]!),
      strength: [...form.matchAll(/name="strength">[\s\S]*?<option value="(\w+)" selected/g)].map((match) => match[1]!),
      likelihoodRatio: [...form.matchAll(/name="likelihoodRatio"/g)].map(() => ''),
    };
    expect(fields.direction).toContain('contradicts');
    const before = await probability('deepseek-blacklisted-12m');
    const accepted = await t.http.post(`/app/inbox/${routed!.id}/accept`).set('Cookie', session).type('form').send(fields);
    expect(accepted.status).toBe(201);
    expect(accepted.text).toContain('Accepted');
    expect(await probability('deepseek-blacklisted-12m')).toBeLessThan(before);
  });

  it('lets only admins ask for a retrain', async () => {
    expect((await t.http.post('/v1/routing-model/retrain').set(auth(analyst))).status).toBe(403);
  });

  it('keeps the active model when a retrain scores worse, storing the candidate as rejected with the reason', async () => {
    // Decisions that contradict the labelled set: copies of clearly relevant items rejected, unrelated items accepted.
    const copies = [
      'DeepSeek is hiring chip design engineers in Hangzhou',
      'DeepSeek recruits hardware engineers for custom AI accelerator',
      'DeepSeek job ads seek FPGA and ASIC specialists',
      'US adds DeepSeek to the Entity List',
      'Commerce Department weighs blacklisting DeepSeek',
      'Huawei Ascend 910C powers new training cluster',
      'Chinese cloud providers deploy Huawei Ascend chips at scale',
      'Shanghai offers subsidies for domestic AI chips',
      'Province launches compute vouchers for domestic GPUs',
      'China funds photonic computing research',
      'Chinese factories adopt AI for quality control, study finds',
      'Chinese labs train frontier models on domestic chips',
    ];
    // Each copy published four days after the last: 96 decisions, not a few stories of many reports.
    let day = 0;
    const rejected = await submit(
      copies.flatMap((title) =>
        Array.from({ length: 8 }, (_, index) => ({ title: `${title} (${index + 1})`, summary: `${title}, report ${index + 1}.`, publishedAt: new Date(Date.UTC(2020, 0, 1 + 4 * day++)).toISOString() })),
      ),
    );
    expect(rejected.status).toBe(201);
    for (const id of rejected.body.createdIds as string[]) {
      expect((await t.http.post(`/v1/signals/${id}/reject`).set(auth(analyst)).send({ reason: 'noise' })).status).toBe(200);
    }
    const unrelated = await submit(Array.from({ length: 30 }, (_, index) => ({ title: `Football league results, round ${index + 1}`, summary: 'Scores and standings.', publishedAt: new Date(Date.UTC(2020, 0, 1 + 4 * day++)).toISOString() })));
    for (const id of unrelated.body.createdIds as string[]) {
      const accepted = await t.http.post(`/v1/signals/${id}/accept`).set(auth(analyst)).send({ impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'weak' }] });
      expect(accepted.status).toBe(201);
    }

    const outcome = await t.app.get(RoutingModelsService).retrain('request:test');
    expect(outcome).toMatchObject({ version: 2, status: 'rejected', reason: expect.stringContaining('scores worse than the active version 1') });

    const { active, versions } = (await t.http.get('/v1/routing-model').set(auth(viewer))).body as { active: Version; versions: Version[] };
    expect(active.version).toBe(1);
    expect(versions.map((version) => [version.version, version.status])).toEqual([
      [2, 'rejected'],
      [1, 'active'],
    ]);
    expect(versions[0]!.evaluation.labelled.macro.f1).toBeLessThan(active.evaluation.labelled.macro.f1 - 0.01);
    expect(versions[0]!.evaluation.decisions + (versions[0]!.evaluation.holdout?.decisions ?? 0)).toBeGreaterThanOrEqual(126);
    // Routing still uses version 1.
    const still = await submit([{ title: 'Photonic chip lab in Chengdu gets provincial money', summary: 'The optical computing team will build a prototype.' }]);
    expect((still.body.items as { status: string }[])[0]!.status).toBe('suggested');
  });
});

describe('routing model retraining through the worker', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
  });
  afterAll(() => t.close());

  it('runs a requested retrain as a job; with nothing new it scores the same and becomes the active version', async () => {
    const requested = await t.http.post('/v1/routing-model/retrain').set(auth(t.adminKey));
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ jobId: expect.stringMatching(/^retrain-routing-model-\d+$/), status: 'queued' });
    const deadline = Date.now() + 45_000;
    let versions: Version[] = [];
    while (Date.now() < deadline) {
      versions = (await t.http.get('/v1/routing-model').set(auth(t.adminKey))).body.versions as Version[];
      if (versions.length > 1) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(versions.map((version) => [version.version, version.status])).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    expect(versions[0]!.reason).toMatch(/^retrain requested by user:.*no worse than version 1/);
  });
});
