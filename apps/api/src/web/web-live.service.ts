import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';

import { PredictionsService } from '#predictions';
import { SignalInboxService } from '#signals';

/** How often the open pages' state is read while any page listens: once for all of them. */
const POLL_MS = 1_500;
/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 25_000;
const PREDICTIONS_WATCHED = 200;

/** What a live page listens to: the overview, the inbox, or one prediction by slug. */
export type LiveTopic = 'overview' | 'inbox' | `prediction:${string}`;

export function isLiveTopic(value: string): value is LiveTopic {
  return value === 'overview' || value === 'inbox' || /^prediction:[a-z0-9][a-z0-9-]{0,199}$/.test(value);
}

interface Listener {
  topic: LiveTopic;
  response: Response;
}

/**
 * Live pages by Server-Sent Events. While at least one page listens, one reader takes a stamp of
 * each topic every POLL_MS through the same services the pages use (each prediction's audit
 * sequence, status and team forecast; the inbox's counts), and tells the pages whose topic's stamp
 * changed; the page then fetches itself again and swaps its live regions. Whatever wrote the change
 * (this process, another API process, the worker, the CLI), every open page sees it. Without
 * JavaScript nothing listens, and a reload shows the same.
 */
@Injectable()
export class WebLiveService implements OnModuleDestroy {
  private readonly logger = new Logger(WebLiveService.name);
  private readonly listeners = new Set<Listener>();
  private stamps = new Map<LiveTopic, string>();
  private timer: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private reading = false;

  constructor(
    private readonly predictions: PredictionsService,
    private readonly inbox: SignalInboxService,
  ) {}

  /** Opens the stream on the response and keeps it until the browser goes. */
  listen(topic: LiveTopic, response: Response): void {
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(`retry: 3000\n\n`);
    const listener: Listener = { topic, response };
    this.listeners.add(listener);
    response.on('close', () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    });
    this.start();
  }

  get listening(): number {
    return this.listeners.size;
  }

  onModuleDestroy(): void {
    for (const listener of this.listeners) listener.response.end();
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.keepAlive = setInterval(() => {
      for (const listener of this.listeners) listener.response.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    void this.poll();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.timer = null;
    this.keepAlive = null;
    this.stamps = new Map();
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const next = await this.readStamps();
      const changed = new Set<LiveTopic>();
      for (const [topic, stamp] of next) {
        const before = this.stamps.get(topic);
        if (before !== undefined && before !== stamp) changed.add(topic);
      }
      // Only pages that had a stamp to compare are told; a page that just opened is current.
      if (this.stamps.size > 0) for (const topic of changed) this.tell(topic);
      this.stamps = next;
    } catch (error) {
      this.logger.warn(`live pages: reading the state failed: ${String(error)}`);
    } finally {
      this.reading = false;
    }
  }

  private tell(topic: LiveTopic): void {
    for (const listener of this.listeners) {
      if (listener.topic === topic) listener.response.write(`event: change\ndata: ${topic}\n\n`);
    }
  }

  private async readStamps(): Promise<Map<LiveTopic, string>> {
    const [page, pending, suggested] = await Promise.all([this.predictions.list({ limit: PREDICTIONS_WATCHED }), this.inbox.count('pending'), this.inbox.count('suggested')]);
    const stamps = new Map<LiveTopic, string>();
    const all: string[] = [];
    for (const prediction of page.items) {
      const stamp = `${prediction.auditSequence}:${prediction.status}:${prediction.revision}:${prediction.team?.asOf.getTime() ?? 0}:${prediction.team?.forecasters ?? 0}`;
      stamps.set(`prediction:${prediction.slug}`, stamp);
      all.push(stamp);
    }
    stamps.set('inbox', `${pending}:${suggested}`);
    stamps.set('overview', `${all.join(',')}|${pending}`);
    return stamps;
  }
}
