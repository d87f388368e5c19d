#!/usr/bin/env node
/**
 * `npm run build`, and the check `npm start` makes before it runs the built tree.
 *
 *   node scripts/build.mjs             build: Prisma client, TypeScript, the embedded database template, the start bundle
 *   node scripts/build.mjs --if-stale  build only when the sources differ from those of the last build
 *
 * The build ends by writing a stamp (dist/.source-stamp): a SHA-256 over the path and content of every
 * file the build reads (apps, libs, prisma, package.json, package-lock.json, tsconfig*.json,
 * nest-cli.json), taken as the build begins, so an edit made while it runs is seen next time. A start
 * whose sources hash to the stamp, with the bundle in place, starts at once. Each step prints a line
 * (and, while a long one runs, a line every 15 s): no spinner, nothing that redraws the terminal.
 * Plain JavaScript, since it runs before anything is compiled.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'dist', '.source-stamp');
const START_ENTRY = join(root, 'dist', 'apps', 'embedded', 'bellwether.js');
const SOURCE_DIRECTORIES = ['apps', 'libs', 'prisma'];
const SOURCE_FILES = /^(package\.json|package-lock\.json|tsconfig[\w.-]*\.json|nest-cli\.json|prisma\.config\.ts)$/;
/** Made by the build itself (the Prisma client), or not read by it. */
const SKIPPED = new Set(['node_modules', 'dist', 'generated']);
const HEARTBEAT_MS = 15_000;

/** The sources' fingerprint: every file under the source directories and the top-level build files, in a stable order. */
export async function sourceStamp() {
  const files = (await readdir(root)).filter((name) => SOURCE_FILES.test(name));
  for (const directory of SOURCE_DIRECTORIES) files.push(...(await listFiles(join(root, directory))));
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(`${file}\u0000`);
    hash.update(await readFile(join(root, file)));
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

async function listFiles(directory) {
  if (!existsSync(directory)) return [];
  const found = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join('/'));
  }
  return found;
}

async function readStamp() {
  try {
    return (await readFile(STAMP, 'utf8')).trim();
  } catch {
    return null;
  }
}

const node = process.execPath;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const STEPS = [
  {
    name: 'Prisma client',
    command: bin('prisma'),
    args: ['generate'],
    env: { PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? 'prisma/no-schema-engine', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  },
  { name: 'TypeScript (nest build)', expect: 'about 40 s on 2 cores', command: bin('nest'), args: ['build', 'api'] },
  {
    name: 'embedded database template',
    command: node,
    args: ['-e', "import('./dist/libs/db/src/embedded/embedded-template.js').then((db) => db.writeEmbeddedTemplate())"],
  },
  { name: 'start bundle', command: node, args: ['dist/apps/embedded/build-bundle.js'] },
];

function run(step, index) {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  console.log(`build ${index + 1}/${STEPS.length} ${step.name}${step.expect ? ` (${step.expect})` : ''}...`);
  return new Promise((resolve, reject) => {
    // node_modules/.bin first, as npm does for its scripts, so the tools run on the project's Node.
    const env = { ...process.env, ...step.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
    const child = spawn(step.command, step.args, { cwd: root, env, stdio: 'inherit' });
    const heartbeat = setInterval(() => console.log(`build ${index + 1}/${STEPS.length} ${step.name}: still running, ${seconds()} s`), HEARTBEAT_MS);
    child.once('error', (error) => {
      clearInterval(heartbeat);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) {
        console.log(`build ${index + 1}/${STEPS.length} ${step.name}: done in ${seconds()} s`);
        resolve();
      } else reject(new Error(`build step "${step.name}" failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

async function build(stamp) {
  const started = Date.now();
  for (const [index, step] of STEPS.entries()) await run(step, index);
  await mkdir(dirname(STAMP), { recursive: true });
  await writeFile(`${STAMP}.tmp`, `${stamp}\n`);
  await rename(`${STAMP}.tmp`, STAMP);
  console.log(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  const ifStale = process.argv.includes('--if-stale');
  const stamp = await sourceStamp();
  if (ifStale) {
    const built = await readStamp();
    if (built === stamp && existsSync(START_ENTRY)) return;
    console.log(
      built === null
        ? 'No build yet: building before the first start (about a minute on 2 cores; later starts skip this until the sources change).'
        : 'The sources changed since the last build: building before the start (npm run build does this alone).',
    );
  }
  await build(stamp);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
