import { parentPort, workerData } from 'node:worker_threads';

import { unanswered, WebhookPoster, type WebhookRequest, type WebhookResponse } from './webhook-poster.js';

/** What the webhook sender's thread starts with. */
export interface SenderThreadData {
  allowlist: string;
}

/** Requests posted to the thread, each under the number its answer comes back with. */
export type RequestBatch = [seq: number, request: WebhookRequest][];
export type ResponseBatch = [seq: number, response: WebhookResponse][];

/**
 * The body of the webhook sender's thread (WebhookSender starts it): every
 * request posted here, and the answers sent back in batches, one message per
 * turn of this thread's event loop however many requests finished in it.
 */
const port = parentPort;
if (!port) throw new Error('webhook-sender-thread runs as a worker thread, started by WebhookSender');
const poster = new WebhookPoster((workerData as SenderThreadData).allowlist);
let answers: ResponseBatch = [];

const answer = (seq: number, response: WebhookResponse): void => {
  if (answers.push([seq, response]) > 1) return;
  setImmediate(() => {
    port.postMessage(answers);
    answers = [];
  });
};

port.on('message', (requests: RequestBatch) => {
  for (const [seq, request] of requests) {
    poster.send(request).then(
      (response) => answer(seq, response),
      (error: Error) => answer(seq, unanswered(`Request failed: ${error.message}`)),
    );
  }
});
