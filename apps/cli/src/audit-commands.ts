import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';

import type { Command } from 'commander';

import {
  checkpointSignatureValid,
  describeArchiveVerification,
  parseWitness,
  readPublicKey,
  trustedKeys,
  verifyArchive,
  witnessLine,
  type KeyEndorsement,
  type Witness,
  type WitnessLine,
} from '#core';

import { dataOf, type BellwetherClient } from './bellwether-client.js';
import { CliOutput } from './cli-output.js';

/** The action wrapper of `buildProgram`: the client and the output, and a problem printed with exit code 1. */
export type CommandRunner = <A extends unknown[]>(action: (context: { api: BellwetherClient; out: CliOutput }, ...args: A) => Promise<void>) => (...args: A) => Promise<void>;

/** How far back a witness asks again before the last head it holds: a transaction that committed late may have signed just before it. */
const WITNESS_OVERLAP_MS = 5 * 60_000;

/** Exit code when a witness or a verification finds the trail does not hold: it is not the command failing, it is the trail. */
const EXIT_NOT_VERIFIED = 2;

/** Several `--public-key` options: each a base64 SPKI DER, a PEM, or a file holding either. */
function collectKeys(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function readKey(value: string): Promise<string> {
  const text = existsSync(value) ? await readFile(value, 'utf8') : value;
  if (!readPublicKey(text)) throw new Error(`${value} is not an Ed25519 public key (base64 SPKI DER or PEM), nor a file holding one`);
  return text;
}

async function readWitness(file: string | undefined): Promise<Witness | null> {
  if (!file) return null;
  return parseWitness(await readFile(file, 'utf8'));
}

/**
 * `bellwether audit ...` and `bellwether verify`: keeping a witness of the signed
 * heads outside the database, rotating the signing key, and checking the trail
 * (on the server, against a witness) or an export (offline, with no database).
 */
export function registerAuditCommands(program: Command, run: CommandRunner): void {
  const audit = program.command('audit').description('the audit trail: witness copies of its signed heads, key rotation, verification');

  audit
    .command('witness')
    .description('append the heads signed since the last run to an append-only witness file (run it from cron, on another machine)')
    .requiredOption('--out <file>', 'the witness file (JSON lines); created on the first run')
    .action(
      run(async ({ api, out }, options: { out: string }) => {
        const held = (await readWitness(existsSync(options.out) ? options.out : undefined)) ?? { heads: [], keys: [], endorsements: [], unreadable: [] };
        const witnessedAt = new Date().toISOString();
        const lines: WitnessLine[] = [];
        const alarms: string[] = [];

        // Keys: the first run takes the server's (compare the ids with the deployment's published ones); later runs take only keys endorsed by one already held.
        const published = dataOf(await api.GET('/v1/audit/keys'));
        const endorsements: KeyEndorsement[] = published.endorsements;
        const anchors = held.keys.length > 0 ? held.keys.map((key) => key.publicKey) : published.items.filter((key) => key.origin === 'local').map((key) => key.publicKey);
        const trusted = trustedKeys(anchors, [...held.endorsements, ...endorsements]);
        const heldKeys = new Set(held.keys.map((key) => key.keyId));
        for (const key of published.items) {
          if (heldKeys.has(key.keyId)) continue;
          if (!trusted.has(key.keyId)) {
            if (key.origin === 'local') alarms.push(`key ${key.keyId} is not endorsed by any key this witness holds: heads it signs are not recorded`);
            continue;
          }
          lines.push({ type: 'key', keyId: key.keyId, publicKey: key.publicKey, witnessedAt });
        }
        const heldEndorsements = new Set(held.endorsements.map((endorsement) => endorsement.signature));
        for (const endorsement of endorsements) {
          if (!heldEndorsements.has(endorsement.signature) && trusted.has(endorsement.endorserKeyId)) lines.push({ type: 'endorsement', ...endorsement, witnessedAt });
        }

        // Heads: every one signed since a little before the last one held.
        const known = new Map(held.heads.map((head) => [`${head.predictionId}:${head.sequence}`, head.hash]));
        const latest = held.heads.reduce((max, head) => Math.max(max, Date.parse(head.signedAt)), 0);
        const since = latest > 0 ? new Date(latest - WITNESS_OVERLAP_MS).toISOString() : undefined;
        let cursor: string | undefined;
        let added = 0;
        const chains = new Set<string>();
        const listed = new Set<string>();
        do {
          const page = dataOf(await api.GET('/v1/audit/heads', { params: { query: { limit: 200, ...(since ? { since } : {}), ...(cursor ? { cursor } : {}) } } }));
          for (const head of page.items) {
            const where = `${head.predictionId}:${head.sequence}`;
            listed.add(where);
            const seen = known.get(where);
            if (seen === head.hash) continue;
            if (seen !== undefined) {
              alarms.push(`entry ${head.sequence} of prediction ${head.predictionId} was witnessed with hash ${seen}; the server now says ${head.hash}`);
              continue;
            }
            const key = trusted.get(head.keyId);
            if (!key || !checkpointSignatureValid(head, key.key)) {
              alarms.push(`the head of entry ${head.sequence} of prediction ${head.predictionId} is not validly signed by a key this witness holds`);
              continue;
            }
            const { predictionId, sequence, hash, signedAt, keyId, signature } = head;
            lines.push({ type: 'head', predictionId, sequence, hash, signedAt, keyId, signature, witnessedAt });
            known.set(where, hash);
            chains.add(predictionId);
            added += 1;
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        // Heads this witness holds from the window asked again must still be there: signatures do not disappear from an honest server.
        for (const head of held.heads) {
          if (since && head.signedAt >= since && !listed.has(`${head.predictionId}:${head.sequence}`)) {
            alarms.push(`the server no longer lists the signed head of entry ${head.sequence} of prediction ${head.predictionId}, which this witness holds (signed at ${head.signedAt})`);
          }
        }

        // Appended in one write, with O_APPEND: the file only ever grows.
        if (lines.length > 0) await appendFile(options.out, lines.map(witnessLine).join(''), { mode: 0o644 });
        if (out.json) out.data({ appended: lines.length, heads: added, chains: chains.size, alarms });
        else {
          out.line(`${options.out}: ${added} new signed head(s) of ${chains.size} chain(s) appended (${held.heads.length + added} held)`);
          for (const key of trusted.values()) out.line(`  key ${key.keyId}${heldKeys.has(key.keyId) ? '' : ' (new)'}`);
          for (const alarm of alarms) out.failure(alarm);
        }
        if (alarms.length > 0) process.exitCode = EXIT_NOT_VERIFIED;
      }),
    );

  audit
    .command('verify')
    .description('verify the trail on the server (admin), also against a witness file, and say what the witness proves')
    .option('--witness <file>', 'a witness file (bellwether audit witness)')
    .option('--public-key <key>', 'a public key to trust besides the server\'s own (base64 SPKI DER, PEM, or a file); repeatable', collectKeys)
    .action(
      run(async ({ api, out }, options: { witness?: string; publicKey?: string[] }) => {
        const witness = await readWitness(options.witness);
        const trustedKeys = await Promise.all((options.publicKey ?? []).map(readKey));
        const checkpoints = (witness?.heads ?? []).map(({ predictionId, sequence, hash, signedAt, signature, keyId }) => ({ predictionId, sequence, hash, signedAt, signature, ...(keyId ? { keyId } : {}) }));
        const result = dataOf(
          await api.POST('/v1/audit/verify', {
            body: { checkpoints, ...(trustedKeys.length > 0 ? { trustedKeys: trustedKeys.map((key) => key.trim()) } : {}) },
          }),
        );
        if (out.json) out.data(result);
        else {
          out.line(`${result.ok ? 'verified' : 'DOES NOT VERIFY'}: ${result.chains} chains, ${result.entries} entries, ${result.signedHeads} signed heads, ${result.checkpoints} checkpoints and copies`);
          for (const broken of result.broken.slice(0, 50)) out.failure(`prediction ${broken.predictionId}, entry ${broken.sequence}: ${broken.reason}`);
          for (const proof of result.witness?.proofs ?? []) {
            out.line(`  witness: ${proof.predictionId} entries 1-${proof.provenThrough} as of ${proof.provenAt}; ${proof.after} after it (signed in the database only)`);
          }
        }
        if (!result.ok) process.exitCode = EXIT_NOT_VERIFIED;
      }),
    );

  audit
    .command('rotate-key')
    .description('start a new signing key (admin): the old key endorses it, old heads keep verifying, the old private key is deleted')
    .action(
      run(async ({ api, out }) => {
        const key = dataOf(await api.POST('/v1/audit/keys/rotate'));
        if (out.json) return out.data(key);
        out.line(`signing with key ${key.keyId} from ${key.activatedAt}`);
        out.line(`  public key ${key.publicKey}`);
        out.line(`  endorsed by ${key.endorsedBy.map((endorsement) => endorsement.keyId).join(', ') || 'none'}`);
      }),
    );

  program
    .command('verify <export>')
    .description('verify an export offline, with no database: every hash, every signature, every derived value; says what it proved')
    .option('--public-key <key>', 'a public key you trust (base64 SPKI DER, PEM, or a file); repeatable. Without one the export\'s own keys are used, which proves consistency, not origin', collectKeys)
    .option('--witness <file>', 'a witness file (bellwether audit witness) to check the export against')
    .action(async (file: string, options: { publicKey?: string[]; witness?: string }) => {
      const out = new CliOutput(program.opts<{ json?: boolean }>().json === true);
      try {
        const document = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; tables?: unknown };
        if (document.format !== 'bellwether-export' || typeof document.tables !== 'object' || document.tables === null) throw new Error(`${file} is not a Bellwether export`);
        const result = verifyArchive(document.tables as Record<string, unknown>, {
          trustedKeys: await Promise.all((options.publicKey ?? []).map(readKey)),
          witness: await readWitness(options.witness),
        });
        if (out.json) out.data(result);
        else {
          out.line(`${file}: ${result.ok ? 'verified' : `DOES NOT VERIFY (${result.problems.length} problem(s))`}`);
          for (const line of describeArchiveVerification(result)) out.line(`  ${line}`);
          for (const problem of result.problems.slice(0, 50)) {
            out.failure(`tables.${problem.table}${problem.index >= 0 ? `[${problem.index}]` : ''}${problem.field ? `.${problem.field}` : ''}: ${problem.message} (${problem.reason})`);
          }
        }
        if (!result.ok) process.exitCode = EXIT_NOT_VERIFIED;
      } catch (error) {
        out.failure(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      }
    });
}
