#!/usr/bin/env node
import { buildProgram } from './cli-program.js';

/** `npx bellwether` / `npm run cli --`: see `bellwether --help`. */
await buildProgram().parseAsync(process.argv);
