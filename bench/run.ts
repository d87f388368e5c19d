import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench`: runs every `*.bench.js` beside this file (or only those whose
 * name contains an argument). Each bench exports `run()`, measures against a
 * baseline taken in the same run, and prints its own report.
 */
const directory = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = (await readdir(directory))
  .filter((file) => file.endsWith('.bench.js'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (benches.length === 0) {
  process.stdout.write('No benchmarks matched.\n');
}
for (const file of benches) {
  process.stdout.write(`\n## ${file.replace(/\.bench\.js$/, '')}\n`);
  const bench = (await import(pathToFileURL(`${directory}/${file}`).href)) as { run(): Promise<void> };
  await bench.run();
}
