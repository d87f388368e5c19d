import { EventEmitter } from 'node:events';

import { Logger } from '@nestjs/common';

import { logQueueErrors } from './queue-error-logging.js';

class CapturingLogger extends Logger {
  readonly lines: { fields: { source: string; errors: number }; message: string }[] = [];
  override warn(fields: { source: string; errors: number }, message: string): void {
    this.lines.push({ fields, message });
  }
}

describe('logQueueErrors', () => {
  it('logs the first error at once, then one line per window counting the errors it stands for', () => {
    const emitter = new EventEmitter();
    const logger = new CapturingLogger();
    let now = 0;
    logQueueErrors(emitter, logger, 'queue ingest', 30_000, () => now);

    emitter.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    for (now = 1_000; now <= 5_000; now += 1_000) emitter.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(logger.lines.map((line) => [line.fields.errors, line.message])).toEqual([[1, 'queue ingest: connect ECONNREFUSED 127.0.0.1:6379']]);

    now = 31_000;
    emitter.emit('error', new Error('Connection is closed.'));
    expect(logger.lines.map((line) => [line.fields.source, line.fields.errors, line.message])).toEqual([
      ['queue ingest', 1, 'queue ingest: connect ECONNREFUSED 127.0.0.1:6379'],
      ['queue ingest', 6, 'queue ingest: Connection is closed.'],
    ]);
  });

  it('keeps listening, so an emitted error never reaches BullMQ\'s console fallback', () => {
    const emitter = new EventEmitter();
    logQueueErrors(emitter, new CapturingLogger(), 'worker notify');
    expect(() => emitter.emit('error', new Error('down'))).not.toThrow();
    expect(emitter.listenerCount('error')).toBe(1);
  });
});
