import { JobQueues } from '#jobs';
import { createTestApp, type TestApp } from '#test/test-app.js';

/** One job engine in both modes: the same scheduler and processor run on Redis and on BullMQ's PostgreSQL backend. */
describe.each([['redis'], ['postgres']] as const)('the audit check job scheduler on BullMQ/%s', (queue) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ queue, worker: true });
  });
  afterAll(() => t.close());

  it('creates the scheduler once, however many workers start, and the worker runs its job', async () => {
    const maintenance = t.worker!.get(JobQueues).queue('maintenance');
    // A second worker starting up upserts the same scheduler id: still one scheduler.
    await t.worker!.get(JobQueues).ensureSchedules();
    const schedulers = await maintenance.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual([
      'mark-due-predictions-every-5-minutes',
      'record-quiet-days-hourly',
      'sign-audit-checkpoints-hourly',
      'verify-audit-hourly',
    ]);

    const deadline = Date.now() + 30_000;
    // The maintenance queue also runs the deadline and quiet-day schedulers; look at the audit check's run.
    const verifyRuns = async () => (await maintenance.getCompleted()).filter((job) => job.name === 'verify-audit');
    let completed = await verifyRuns();
    while (completed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      completed = await verifyRuns();
    }
    expect(completed).toHaveLength(1);
    const verify = completed[0]!;
    // The checkpoint scheduler's first run may come before or after the check's (one job at a time): the check counts what was signed before it.
    const signedBefore = (await maintenance.getCompleted())
      .filter((job) => job.name === 'sign-audit-checkpoints' && job.finishedOn! <= verify.processedOn!)
      .reduce((signed, job) => signed + (job.returnvalue as { signed: number }).signed, 0);
    expect(verify.returnvalue).toEqual({ ok: true, chains: 4, entries: 4, firstBroken: null, broken: [], brokenCount: 0, checkpoints: signedBefore, signedHeads: 4, witness: null });
  });
});
