import { JobQueues } from '#jobs';
import { createTestApp, type TestApp } from '#test/test-app.js';

/** The deadline job runs through BullMQ and the worker's maintenance processor, not only as a service call. */
describe('confidence jobs on the worker', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
  });
  afterAll(() => t.close());

  it('marks a prediction whose deadline passed as due when the mark-due-predictions job runs', async () => {
    const analyst = await t.keyFor('analyst');
    const created = await t.http
      .post('/v1/predictions')
      .set({ Authorization: `Bearer ${analyst}` })
      .send({ slug: 'soon-due', title: 'Soon due', statement: 's', resolutionCriteria: 'r', prior: 0.5, deadline: new Date(Date.now() + 1500).toISOString() });
    expect(created.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1600));

    const queues = t.worker!.get(JobQueues);
    // A deterministic id: a second enqueue of the same run is ignored by BullMQ.
    const job = await queues.enqueue('mark-due-predictions', {}, { jobId: `mark-due-test-${created.body.id}` });
    await queues.enqueue('mark-due-predictions', {}, { jobId: `mark-due-test-${created.body.id}` });
    const deadline = Date.now() + 20_000;
    let state = await job.getState();
    while (state !== 'completed' && state !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await job.getState();
    }
    expect(state).toBe('completed');
    const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(prediction.status).toBe('due');
    expect(prediction.dueAt).not.toBeNull();
    expect(await t.prisma.outboxEvent.count({ where: { predictionId: created.body.id, type: 'prediction.due' } })).toBe(1);
  });
});
