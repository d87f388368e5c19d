import { Worker } from 'node:worker_threads';

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

import { AppConfig } from '#config';
import { OutboundGuard } from '#core';

import { unanswered, type WebhookRequest, type WebhookResponse } from './webhook-poster.js';
import type { RequestBatch, ResponseBatch, SenderThreadData } from './webhook-sender-thread.js';

/**
 * The young generation of the thread's heap: its garbage is small and short-lived
 * (a request and a response at a time per delivery), and Node's default would
 * let it grow to tens of MB that the process's memory then keeps.
 */
const THREAD_YOUNG_GENERATION_MB = 8;

type Answer = (response: WebhookResponse) => void;

/**
 * Sends webhook deliveries from a thread of its own, where a WebhookPoster
 * makes each request (the outbound guard, the pinned keep-alive pools, the
 * per-host and per-endpoint turns, signing, the timeout and the response
 * excerpt).
 *
 * A fan-out keeps the main thread busy with the queue, the delivery log and
 * their promises; the HTTP client's work, about half of a delivery's CPU, then
 * runs beside it on the second core instead of taking turns with it. Requests
 * cross to the thread, and answers back, in batches: one message per turn of
 * either event loop.
 *
 * The thread starts with the first send. When it ends unexpectedly, the
 * requests it held answer as failed attempts (the retry schedule sends them
 * again, with the same `webhook-id`) and the next send starts a new one.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly guard: OutboundGuard;
  private thread: Worker | null = null;
  /** Requests not yet posted to the thread: they go together at the end of this turn. */
  private outgoing: { seq: number; request: WebhookRequest; resolve: Answer }[] = [];
  /** Requests on the thread: how to answer each, by the number its answer comes back with. */
  private readonly onThread = new Map<number, Answer>();
  private nextSeq = 0;
  private stopped = false;

  constructor(private readonly config: AppConfig) {
    this.guard = new OutboundGuard(config.OUTBOUND_ALLOWLIST);
  }

  /** Checks an endpoint URL being saved: http(s), no credentials, and a literal IP must be allowed. */
  checkUrl(url: string, field = 'url'): void {
    this.guard.checkSavedUrl(url, field);
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    if (this.stopped) return Promise.resolve(unanswered('Not sent: the process is shutting down'));
    return new Promise((resolve) => {
      const { url, webhookId, body, secrets } = request;
      if (this.outgoing.push({ seq: this.nextSeq++, request: { url, webhookId, body, secrets }, resolve }) === 1) setImmediate(() => this.post());
    });
  }

  /** Stops the thread; requests it still held answer as failed attempts. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const thread = this.thread;
    this.thread = null;
    this.failAll('Not sent or not answered: the process is shutting down');
    await thread?.terminate();
  }

  private post(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (this.stopped) return;
    const thread = this.thread ?? this.startThread();
    for (const { seq, resolve } of batch) this.onThread.set(seq, resolve);
    thread.postMessage(batch.map(({ seq, request }) => [seq, request]) satisfies RequestBatch);
  }

  private startThread(): Worker {
    const thread = new Worker(senderThreadEntry(), {
      workerData: { allowlist: this.config.OUTBOUND_ALLOWLIST } satisfies SenderThreadData,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    // Shutdown stops it; it never keeps a process alive by itself.
    thread.unref();
    thread.on('message', (responses: ResponseBatch) => {
      for (const [seq, response] of responses) {
        this.onThread.get(seq)?.(response);
        this.onThread.delete(seq);
      }
    });
    thread.on('error', (error) => this.logger.error({ err: error }, 'The webhook sending thread failed'));
    thread.on('exit', (code) => {
      if (this.thread !== thread) return;
      this.thread = null;
      this.failAll(`Not answered: the webhook sending thread ended (exit code ${code})`);
    });
    this.thread = thread;
    return thread;
  }

  private failAll(error: string): void {
    const waiting = [...this.onThread.values(), ...(this.stopped ? this.outgoing.map(({ resolve }) => resolve) : [])];
    this.onThread.clear();
    if (this.stopped) this.outgoing = [];
    for (const resolve of waiting) resolve(unanswered(error));
  }
}

/**
 * The thread's module, beside this one in the build. A thread runs JavaScript:
 * when Jest runs this file from its TypeScript source, the thread is the
 * build's (dist/ mirrors the source tree; `npm test` builds first).
 */
function senderThreadEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? '../../../dist/libs/notify/src/webhook-sender-thread.js' : './webhook-sender-thread.js', import.meta.url);
}
