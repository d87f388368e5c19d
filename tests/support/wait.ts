/**
 * The one way a test waits for something that happens in another process, a
 * queue or a timer: poll, and fail saying what was awaited (and, if given,
 * what the other side said) rather than hang or time out without a word.
 */

/** Polls until `probe` returns something other than null, undefined or false, and returns it. */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
  what = 'the condition',
  detail?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    // false is "not yet": a probe that is a comparison must wait like one that finds nothing.
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const said = detail?.();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${said ? `:\n${said}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `condition` holds; returns how long that took. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'the condition', detail?: () => string): Promise<number> {
  const started = Date.now();
  await eventually(async () => ((await condition()) ? true : null), timeoutMs, what, detail);
  return Date.now() - started;
}
