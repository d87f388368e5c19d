import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidConfigError } from '#config';

/** The file under DATA_DIR naming the process that has it open. */
export const DATA_DIR_CLAIM_FILE = 'bellwether.pid';

/** Whether a process with this pid runs (a claim's holder, or in tests the app a start spawned). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user holds that pid; it is running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/**
 * Claims DATA_DIR for this process before the embedded database opens it.
 * PGlite takes no lock of its own: a second `npm start` on the same directory
 * would open the same files and take over the first one's socket, leaving the
 * first without its database. The claim is a file holding this process's pid,
 * made whole before it appears (written aside, then linked into place, which
 * fails if one is there). A claim whose process is gone (killed, crashed, or
 * this very pid reused after a container restart) is taken over. Returns the
 * release, for a clean stop.
 */
export async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const claim = join(dataDir, DATA_DIR_CLAIM_FILE);
  const draft = `${claim}.${process.pid}`;
  try {
    await writeFile(draft, `${process.pid}\n`, { mode: 0o600 });
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
    await mkdir(dataDir, { recursive: true });
    await writeFile(draft, `${process.pid}\n`, { mode: 0o600 });
  }
  try {
    // Two tries: a stale claim is removed once; a claim that reappears meanwhile is a live process's.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(draft, claim);
        return () => rm(claim, { force: true });
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const holder = Number.parseInt(await readFile(claim, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) break;
      await rm(claim, { force: true });
    }
    const holder = (await readFile(claim, 'utf8').catch(() => '?')).trim();
    throw new InvalidConfigError([
      `DATA_DIR ${dataDir} is in use by another Bellwether process (pid ${holder}). Stop it first, or give this one a DATA_DIR of its own. ` +
        `If no such process runs, delete ${claim}.`,
    ]);
  } finally {
    await rm(draft, { force: true });
  }
}
