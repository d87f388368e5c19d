import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build, type Plugin } from 'esbuild';

/**
 * The build's last step for `npm start`: the embedded entry and everything it
 * imports, in one file (`dist/apps/embedded/bellwether.js`). Node 20 spends
 * most of a start loading modules one by one, over two thousand of them,
 * resolving, reading and compiling each; one file made the embedded start
 * about 0.6 s faster. The code is the same as in `dist/`, which the tests
 * also run.
 *
 * Left outside, loaded from node_modules as usual:
 * - packages that find files of their own at run time: PGlite (its
 *   WebAssembly, and it runs on a thread of its own from dist/), Prisma's
 *   runtime and query compiler, swagger-ui-dist, pino and its transport
 *   threads, msgpackr's native extension;
 * - packages loaded only on first use (feedsmith, juice);
 * - Nest's optional packages, which are not installed.
 */
const OUTSIDE = [
  '@electric-sql/pglite',
  '@prisma/client/runtime/*',
  'swagger-ui-dist',
  'pino',
  'pino-pretty',
  'thread-stream',
  'msgpackr',
  'msgpackr-extract',
  'feedsmith',
  'juice',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-socket.io',
  '@fastify/static',
  'class-transformer/storage',
  'pg-native',
];

/** `const require = createRequire(import.meta.url);` in a Nest package: what that `require` loads would stay outside, and load a second copy of a bundled package. */
const NEST_LOCAL_REQUIRE = /const require = createRequire\(import\.meta\.url\);/;

/**
 * Each module keeps its own location: `import.meta.url` becomes the URL of the
 * file it was bundled from, so paths found from it (templates, views, the
 * PGlite template and thread, migrations) are the ones the module has in dist/.
 * And a Nest package's local `require` becomes the bundle's own, which
 * includes what it loads instead of loading it again from node_modules.
 */
const modulesKeepTheirPlace: Plugin = {
  name: 'modules-keep-their-place',
  setup(bundle) {
    bundle.onLoad({ filter: /\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      if (args.path.includes('/node_modules/@nestjs/')) text = text.replace(NEST_LOCAL_REQUIRE, '');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(here, 'bellwether.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // Nest and the logs name classes: keep their names.
  keepNames: true,
  external: OUTSIDE,
  // For the CommonJS packages inside, which call `require` for Node's own modules and the packages outside.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  plugins: [modulesKeepTheirPlace],
  logLevel: 'warning',
});
