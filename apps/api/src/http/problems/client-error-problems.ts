import type { Server } from 'node:http';
import type { Socket } from 'node:net';

import { PROBLEM_CONTENT_TYPE, problemType } from './problem-details.js';

/**
 * Requests Node's HTTP parser refuses before any of our code runs (headers or
 * a URL too large, a malformed request line) get problem+json too, instead of
 * Node's bare status line.
 */
export function answerClientErrorsWithProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: problemType(tooLarge ? 'headers-too-large' : 'malformed-request'),
      title: tooLarge ? 'The request headers or URL are too large' : 'The request could not be parsed',
      status,
      detail: tooLarge ? 'Send fewer or smaller headers, or a shorter URL (at most 16 KB together).' : (error.message ?? 'Malformed HTTP request'),
      errors: [{ field: tooLarge ? 'headers' : 'request', message: tooLarge ? 'too large' : 'malformed' }],
    });
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
