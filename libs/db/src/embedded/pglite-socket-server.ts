import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite database to many PostgreSQL clients over a loopback socket.
 *
 * PGlite is a single session, so clients must take turns. `@electric-sql/pglite-socket`
 * takes turns per protocol *message*, which lets one client's Parse/Bind/Execute
 * interleave with another's and destroys the unnamed statement and portal under it
 * ("portal does not exist"). Here a client keeps the session from its first message
 * until the session is idle again: after a Sync or a simple Query that leaves no
 * transaction open. That makes every extended-protocol round trip and every
 * transaction atomic with respect to the other clients.
 *
 * LISTEN/NOTIFY: the shared session listens for every client, and PGlite writes
 * a notification into the output of whichever client's statement raised it.
 * The server remembers which clients asked to LISTEN on which channel and
 * hands each notification to them instead (BullMQ's workers wait on one to
 * learn of a new job; without it they slept until their next delayed job).
 */
export class PGliteSocketServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private owner: ClientSession | null = null;
  private readonly waiting: ClientSession[] = [];
  /** Channel name to the clients that asked to LISTEN on it. */
  private readonly listeners = new Map<string, Set<ClientSession>>();

  constructor(private readonly db: PGlite) {}

  /**
   * Serves on a Unix socket at `path`, readable and writable by this user only
   * (mode 0600, in a directory of mode 0700): PGlite asks no password, so the
   * file system is what keeps other local users and processes out. The
   * directory is closed before the socket exists, so the socket is never
   * reachable with a wider mode (the umask cannot narrow it instead: this runs
   * on a worker thread, where a process-wide umask cannot be set).
   */
  async listenOnPath(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await chmod(dirname(path), 0o700);
    // A socket file left by a process that died; PGlite's own lock keeps two live processes off one data directory.
    await rm(path, { force: true });
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o600);
  }

  /** Serves on a loopback TCP port (tests); answers the port. */
  async listen(host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('The PGlite socket has no TCP port');
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const session = new ClientSession(socket, this);
    socket.on('data', (chunk) => session.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.abandon(session);
    });
  }

  /** Queue the session for the database; it runs when every session before it has gone idle. */
  request(session: ClientSession): void {
    if (this.owner === session || this.waiting.includes(session)) return;
    this.waiting.push(session);
    this.handOver();
  }

  release(session: ClientSession): void {
    if (this.owner !== session) return;
    this.owner = null;
    this.handOver();
  }

  async execute(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    if (this.listeners.size === 0) {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: onData }));
      return;
    }
    const output = new NotificationRouter(onData, (channel, bytes) => {
      for (const listener of this.listeners.get(channel) ?? []) listener.send(bytes);
    });
    await this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: (data) => output.push(data) }));
    output.end();
  }

  subscribe(session: ClientSession, channel: string): void {
    const sessions = this.listeners.get(channel) ?? new Set<ClientSession>();
    sessions.add(session);
    this.listeners.set(channel, sessions);
  }

  /** The client stops listening on `channel` (every channel for `*`); the shared session keeps listening for the others. */
  unsubscribe(session: ClientSession, channel: string): void {
    for (const [name, sessions] of this.listeners) {
      if (channel !== '*' && name !== channel) continue;
      sessions.delete(session);
      if (sessions.size === 0) this.listeners.delete(name);
    }
  }

  isInTransaction(): boolean {
    return this.db.isInTransaction();
  }

  private handOver(): void {
    while (!this.owner && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.closed) continue;
      this.owner = next;
      void next.run();
    }
  }

  /** A closed client leaves the queue; if it holds the database, its run loop wakes, rolls back and releases it. */
  private abandon(session: ClientSession): void {
    session.closed = true;
    this.unsubscribe(session, '*');
    const index = this.waiting.indexOf(session);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** A client that vanished inside a transaction must not leave the shared session in it. */
  async rollbackAbandoned(): Promise<void> {
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => undefined);
  }
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const PARSE = 0x50; // 'P'
const NOTIFICATION_RESPONSE = 0x41; // 'A'

/** `LISTEN name` / `UNLISTEN name|*` statements in a query text (comments removed); names as PostgreSQL folds them. */
function listenStatements(sql: string): { listen: boolean; channel: string }[] {
  if (!/listen/i.test(sql)) return [];
  const statements: { listen: boolean; channel: string }[] = [];
  for (const statement of sql.replace(/--[^\n]*/g, '').split(';')) {
    const match = /^\s*(UN)?LISTEN\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*|\*))\s*$/i.exec(statement);
    if (match) statements.push({ listen: !match[1], channel: match[2]?.replace(/""/g, '"') ?? match[3]!.toLowerCase() });
  }
  return statements;
}

/**
 * Splits a statement's output into protocol messages on the fly: a
 * NotificationResponse goes to `notify` (by channel), everything else,
 * in order, to the client that ran the statement.
 */
class NotificationRouter {
  private pending = Buffer.alloc(0);

  constructor(
    private readonly forward: (data: Uint8Array) => void,
    private readonly notify: (channel: string, message: Uint8Array) => void,
  ) {}

  push(data: Uint8Array): void {
    let buffer = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let passThroughFrom = 0;
    let offset = 0;
    while (buffer.length - offset >= 5) {
      const length = 1 + buffer.readInt32BE(offset + 1);
      if (buffer.length - offset < length) break;
      if (buffer[offset] === NOTIFICATION_RESPONSE) {
        if (offset > passThroughFrom) this.forward(buffer.subarray(passThroughFrom, offset));
        const channelEnd = buffer.indexOf(0, offset + 9);
        this.notify(buffer.toString('utf8', offset + 9, channelEnd), new Uint8Array(buffer.subarray(offset, offset + length)));
        passThroughFrom = offset + length;
      }
      offset += length;
    }
    if (offset > passThroughFrom) this.forward(buffer.subarray(passThroughFrom, offset));
    buffer = buffer.subarray(offset);
    this.pending = Buffer.from(buffer);
  }

  /** Whatever was left incomplete goes to the client as it is. */
  end(): void {
    if (this.pending.length > 0) this.forward(this.pending);
    this.pending = Buffer.alloc(0);
  }
}

class ClientSession {
  closed = false;
  private buffer = Buffer.alloc(0);
  private started = false;
  private running = false;
  /** No pipeline or transaction of this client is in progress: another client may have the database. */
  private idle = true;

  constructor(
    private readonly socket: Socket,
    private readonly server: PGliteSocketServer,
  ) {}

  /** A message for this client outside its own statements (a notification). */
  send(message: Uint8Array): void {
    this.write(message);
  }

  /**
   * Writes a copy: PGlite hands its output as views of its WebAssembly memory,
   * which its next statement overwrites, while a socket that cannot take a large
   * answer at once (a Unix socket's buffer is small) keeps the view queued. Sent
   * as it was, the queued bytes became the next statement's, and the client lost
   * its place in the protocol.
   */
  private write(data: Uint8Array): void {
    if (data.length > 0 && !this.closed && this.socket.writable) this.socket.write(Buffer.from(data));
  }

  receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.nextMessage(false)) this.server.request(this);
  }

  /** Runs while this session owns the database: every complete message, until the session is idle. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const message = this.nextMessage(true);
        if (!message) {
          if (this.closed || this.idle) break;
          // Mid-pipeline (no Sync yet) or mid-transaction: keep the session until the client continues.
          await this.waitForData();
          continue;
        }
        if (message.kind === 'ssl') {
          this.socket.write('N');
          continue;
        }
        if (message.kind === 'ignored') continue;
        if (message.type === TERMINATE) {
          this.closed = true;
          this.socket.end();
          break;
        }
        this.noteListening(message);
        await this.server.execute(message.bytes, (data) => {
          this.write(data);
        });
        this.idle =
          (message.kind === 'startup' || message.type === SYNC || message.type === QUERY) && !this.server.isInTransaction();
      }
    } catch {
      this.closed = true;
      this.socket.destroy();
    } finally {
      if (this.closed) await this.server.rollbackAbandoned();
      this.running = false;
      this.server.release(this);
      if (!this.closed && this.hasCompleteMessage()) this.server.request(this);
    }
  }

  /** Remembers the channels a simple Query or a Parse asks to (UN)LISTEN on. */
  private noteListening(message: { kind: string; type: number; bytes: Uint8Array }): void {
    if (message.kind !== 'regular' || (message.type !== QUERY && message.type !== PARSE)) return;
    const body = Buffer.from(message.bytes.buffer, message.bytes.byteOffset + 5, message.bytes.byteLength - 5);
    // A Parse starts with the statement's name; the query text follows it.
    const textStart = message.type === PARSE ? body.indexOf(0) + 1 : 0;
    const text = body.toString('utf8', textStart, body.indexOf(0, textStart));
    for (const { listen, channel } of listenStatements(text)) {
      if (listen) this.server.subscribe(this, channel);
      else this.server.unsubscribe(this, channel);
    }
  }

  private hasCompleteMessage(): boolean {
    return this.nextMessage(false) !== null;
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('data', done);
        this.socket.off('close', done);
        // Let receive() append the chunk first.
        setImmediate(resolve);
      };
      this.socket.on('data', done);
      this.socket.on('close', done);
    });
  }

  /** Frames the next message in the buffer; with `consume`, removes it. Null when none is complete. */
  private nextMessage(
    consume: boolean,
  ):
    | { kind: 'startup' | 'regular'; type: number; bytes: Uint8Array }
    | { kind: 'ssl' | 'ignored'; type: number; bytes: Uint8Array }
    | null {
    if (!this.started) {
      if (this.buffer.length < 8) return null;
      const length = this.buffer.readInt32BE(0);
      if (this.buffer.length < length) return null;
      const code = this.buffer.readInt32BE(4);
      const bytes = new Uint8Array(this.buffer.subarray(0, length));
      if (consume) this.buffer = this.buffer.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { kind: 'ssl', type: 0, bytes };
      if (code === CANCEL_REQUEST) return { kind: 'ignored', type: 0, bytes };
      if (consume) this.started = true;
      return { kind: 'startup', type: 0, bytes };
    }
    if (this.buffer.length < 5) return null;
    const length = 1 + this.buffer.readInt32BE(1);
    if (this.buffer.length < length) return null;
    const type = this.buffer[0]!;
    const bytes = new Uint8Array(this.buffer.subarray(0, length));
    if (consume) this.buffer = this.buffer.subarray(length);
    return { kind: 'regular', type, bytes };
  }
}
