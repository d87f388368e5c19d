import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { RUNTIME_FLAGS } from '#test/app-processes.js';

/**
 * `npm run bench`: runs every `*.bench.js` beside this file (or only those whose
 * name contains an argument). Each bench exports `run()`, measures against a
 * baseline taken in the same run, and prints its own report. Each runs in a
 * process of its own, so one bench's memory never shows up in another's peak.
 */
const directory = dirname(fileURLToPath(import.meta.url));
// With DATABASE_URL every process needs the audit signing key: one for the whole run, inherited by each bench's processes.
process.env.AUDIT_SIGNING_KEY ??= generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const [mode, target] = process.argv.slice(2);

if (mode === '--child' && target) {
  const bench = (await import(pathToFileURL(join(directory, target)).href)) as { run(): Promise<void> };
  await bench.run();
} else {
  const filters = process.argv.slice(2);
  const benches = (await readdir(directory))
    .filter((file) => file.endsWith('.bench.js'))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  if (benches.length === 0) process.stdout.write('No benchmarks matched.\n');
  let failed = 0;
  for (const file of benches) {
    process.stdout.write(`\n## ${file.replace(/\.bench\.js$/, '')}\n`);
    const child = spawnSync(process.execPath, ['--expose-gc', ...RUNTIME_FLAGS, fileURLToPath(import.meta.url), '--child', file], { stdio: 'inherit' });
    if (child.status !== 0) failed += 1;
  }
  process.exitCode = failed === 0 ? 0 : 1;
}
