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
 */
export class PGliteSocketServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private owner: ClientSession | null = null;
  private readonly waiting: ClientSession[] = [];

  constructor(private readonly db: PGlite) {}

  /**
   * Serves on a Unix socket at `path`, readable and writable by this user only
   * (mode 0600, in a directory of mode 0700): PGlite asks no password, so the
   * file system is what keeps other local users and processes out.
   */
  async listenOnPath(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await chmod(dirname(path), 0o700);
    // A socket file left by a process that died; PGlite's own lock keeps two live processes off one data directory.
    await rm(path, { force: true });
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    const previousMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
    } finally {
      process.umask(previousMask);
    }
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
    await this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: onData }));
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
        await this.server.execute(message.bytes, (data) => {
          if (data.length > 0 && this.socket.writable) this.socket.write(data);
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
