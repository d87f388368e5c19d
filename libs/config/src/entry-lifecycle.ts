import { InvalidConfigError } from './app-config.js';

/** sysexits.h's EX_CONFIG: the process cannot start with the configuration it was given. */
export const EXIT_INVALID_CONFIG = 78;

/**
 * Runs an entry point's start. A configuration it cannot use is the operator's
 * to fix, so it ends with what to change, without a stack trace, and with
 * EX_CONFIG (even while the embedded database's thread still runs). Any other
 * failure is a fault and ends the process with its stack, as it would uncaught.
 */
export async function startOrExit(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`Bellwether cannot start. ${error.message}\n`);
    process.exit(EXIT_INVALID_CONFIG);
  }
}

/**
 * Bounds a stop: once SIGTERM or SIGINT arrives, the process has `graceSeconds`
 * to close (its own handlers do that) before it exits with code 1 and says so.
 * A BullMQ queue or worker whose Redis is down waits for it to close, forever.
 */
export function boundShutdown(graceSeconds: number): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`Bellwether did not stop within ${graceSeconds} s of ${signal} (SHUTDOWN_GRACE_SECONDS); exiting now.\n`);
        process.exit(1);
      }, graceSeconds * 1000).unref();
    });
  }
}
