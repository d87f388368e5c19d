import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI_ENTRY = join(process.cwd(), 'dist/apps/cli/src/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `bellwether` command as a user would, with only the environment it is given
 * (and PATH, HOME, NO_COLOR); answers its exit code and output, never throws. Up to 60 s and
 * 64 MB of output (an export or a witness file of a long trail).
 */
export function bellwether(args: string[], env: Record<string, string>): Promise<CliRun> {
  const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { env: clean, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
