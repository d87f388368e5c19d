import { request, type ClientRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The browsers of the web-app bench's open live pages, in a process of their own so that
 * what the API process adds for them is measured without the clients' own sockets and
 * buffers. Opens LIVE_COUNT event streams to LIVE_BASE/app/live?topic=LIVE_TOPIC, as a
 * page's EventSource does, each with one of the session cookies in LIVE_COOKIES (a JSON
 * array) in turn, and says on stdout:
 *   `open <n>`     once every stream has answered 200 and sent its first line;
 *   `changed <n>`  each time another stream has received a change event;
 *   `closed`       after `close` on stdin, once every stream is closed.
 * Anything that goes wrong is `error <what>` and exit code 1.
 */
export const LIVE_PAGES_CLIENT = fileURLToPath(import.meta.url);

function main(): void {
  const base = process.env.LIVE_BASE!;
  const topic = process.env.LIVE_TOPIC!;
  const count = Number(process.env.LIVE_COUNT);
  const cookies = JSON.parse(process.env.LIVE_COOKIES ?? '[]') as string[];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (what: string) => {
    say(`error ${what}`);
    process.exit(1);
  };
  const streams: ClientRequest[] = [];
  let open = 0;
  let changed = 0;
  let closing = false;
  for (let index = 0; index < count; index++) {
    // One socket per stream (no shared agent), as separate tabs and browsers hold.
    const stream = request(`${base}/app/live?topic=${encodeURIComponent(topic)}`, {
      agent: false,
      headers: { Accept: 'text/event-stream', Cookie: cookies[index % cookies.length]! },
    });
    stream.on('response', (response) => {
      if (response.statusCode !== 200) fail(`stream ${index} answered ${response.statusCode}`);
      response.setEncoding('utf8');
      let buffered = '';
      let started = false;
      let told = false;
      response.on('data', (chunk: string) => {
        buffered += chunk;
        // Events end with a blank line; what follows the last one is kept for the next chunk.
        const events = buffered.split('\n\n');
        buffered = events.pop()!;
        for (const event of events) {
          if (!started) {
            started = true;
            if (++open === count) say(`open ${open}`);
          }
          if (!told && event.split('\n').includes('event: change')) {
            told = true;
            say(`changed ${++changed}`);
          }
        }
      });
      response.on('end', () => {
        if (!closing) fail(`stream ${index} ended before it was closed`);
      });
    });
    stream.on('error', (error) => {
      if (!closing) fail(`stream ${index}: ${error.message}`);
    });
    stream.end();
    streams.push(stream);
  }
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'close') return;
    closing = true;
    let left = streams.length;
    for (const stream of streams) {
      stream.on('close', () => {
        if (--left === 0) {
          say('closed');
          process.exit(0);
        }
      });
      stream.destroy();
    }
  });
}

if (process.argv[1] === LIVE_PAGES_CLIENT) main();
