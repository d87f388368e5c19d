import { isDatabaseUnavailable } from './database-unavailable.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a lock not granted within lock_timeout', Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })],
    ['a pool with no connection free in time', new Error('timeout exceeded when trying to connect')],
    ['Prisma wrapping the driver', Object.assign(new Error('driver adapter error'), { cause: { code: 'ECONNREFUSED' } })],
  ])('takes %s for unavailable (a 503 the client may retry)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('does not take %s for unavailable', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
