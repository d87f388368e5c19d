/**
 * Gathers concurrent calls into one database statement (group commit): a call
 * made while fewer than `parallel` statements are running goes out on the next
 * turn of the event loop with whatever else arrived in that turn; calls made
 * while all are running wait for one to finish and then go out together. So
 * one call alone is not delayed, and under load each statement carries many
 * calls, never more than `maxBatch`.
 *
 * `run` answers one result per input, in the same order. If it throws, every
 * call of that batch gets the error.
 */
export class StatementBatcher<Input, Output> {
  private queued: { input: Input; resolve: (output: Output) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: Input[]) => Promise<Output[]>,
    private readonly options: { parallel: number; maxBatch: number } = { parallel: 1, maxBatch: 256 },
  ) {}

  submit(input: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running >= this.options.parallel || this.scheduled || this.queued.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running >= this.options.parallel || this.queued.length === 0) return;
    this.running += 1;
    const batch = this.queued.splice(0, this.options.maxBatch);
    // More than one batch waiting: the next may go out beside this one.
    this.schedule();
    try {
      const outputs = await this.run(batch.map((call) => call.input));
      batch.forEach((call, index) => call.resolve(outputs[index]!));
    } catch (error) {
      for (const call of batch) call.reject(error);
    } finally {
      this.running -= 1;
      this.schedule();
    }
  }
}
