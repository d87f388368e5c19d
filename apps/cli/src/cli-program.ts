import { Command, InvalidArgumentError, Option } from 'commander';

import { registerAuditCommands } from './audit-commands.js';
import { createBellwetherClient, dataOf, ProblemError, type BellwetherClient } from './bellwether-client.js';
import { CliOutput } from './cli-output.js';
import { configFilePath, loadCliSettings } from './cli-settings.js';

interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a positive number');
  return number;
}

function limit(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 200) throw new InvalidArgumentError('a whole number from 1 to 200');
  return number;
}

/**
 * `bellwether`: the analyst's commands over the typed client. Each action gets the client and the
 * output once the global options are read; a problem from the API is printed and exits 1.
 */
export function buildProgram(): Command {
  const program = new Command('bellwether')
    .description('Predictions, evidence and the review inbox of a Bellwether server, from the terminal.')
    .option('--url <url>', 'the server (default: BELLWETHER_URL, the config file, http://localhost:3000)')
    .option('--key <key>', 'an API key (default: BELLWETHER_KEY or the config file)')
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', `\nConfig file: ${configFilePath()} ({"url": "...", "key": "bw_..."})`)
    .showHelpAfterError();

  const run =
    <A extends unknown[]>(action: (context: { api: BellwetherClient; out: CliOutput }, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const globals = program.opts<GlobalOptions>();
      const out = new CliOutput(globals.json === true);
      const settings = await loadCliSettings(globals);
      try {
        await action({ api: createBellwetherClient(settings.url, settings.key), out }, ...args);
      } catch (error) {
        if (error instanceof ProblemError) out.problem(error.status, error.problem);
        else out.failure(error instanceof Error && error.cause instanceof Error ? `${error.message}: ${error.cause.message} (${settings.url})` : String(error));
        process.exitCode = 1;
      }
    };

  registerAuditCommands(program, run);

  program
    .command('predictions')
    .description('every prediction with its probability, status and deadline')
    .addOption(new Option('--status <status>', 'only these').choices(['open', 'due', 'resolved_true', 'resolved_false', 'annulled']))
    .option('--limit <n>', 'at most this many (1-200)', limit, 50)
    .action(
      run(async ({ api, out }, options: { status?: 'open' | 'due' | 'resolved_true' | 'resolved_false' | 'annulled'; limit: number }) => {
        const page = dataOf(await api.GET('/v1/predictions', { params: { query: { limit: options.limit, ...(options.status ? { status: options.status } : {}) } } }));
        if (out.json) return out.data(page.items);
        out.table(
          ['slug', 'probability', 'prior', 'status', 'deadline'],
          page.items.map((p) => [p.slug, out.percent(p.probability), out.percent(p.prior), p.status, p.deadline.slice(0, 10)]),
        );
      }),
    );

  const evidence = program.command('evidence').description('record evidence');
  evidence
    .command('add <prediction>')
    .description('record evidence bearing on one prediction (id or slug): a likelihood ratio, or a direction and a strength')
    .requiredOption('--summary <text>', 'what was observed')
    .option('--lr <ratio>', 'likelihood ratio P(E | true) / P(E | false), 0.01 to 100', positiveNumber)
    .addOption(new Option('--supports', 'it makes the prediction more likely').conflicts(['contradicts', 'lr']))
    .addOption(new Option('--contradicts', 'it makes the prediction less likely').conflicts(['supports', 'lr']))
    .addOption(new Option('--strength <strength>', 'with --supports or --contradicts').choices(['weak', 'moderate', 'strong']).default('moderate'))
    .option('--source-url <url>', 'where it was reported')
    .option('--observed-at <time>', 'when it was observed, ISO 8601 with an offset (default: now)')
    .option('--reliability <r>', 'how far the source is trusted, 0 to 1 (default 1)', Number)
    .action(
      run(
        async (
          { api, out },
          prediction: string,
          options: { summary: string; lr?: number; supports?: boolean; contradicts?: boolean; strength: 'weak' | 'moderate' | 'strong'; sourceUrl?: string; observedAt?: string; reliability?: number },
        ) => {
          if (options.lr === undefined && !options.supports && !options.contradicts) throw new Error('give --lr <ratio>, or --supports or --contradicts (with --strength)');
          const impact =
            options.lr !== undefined
              ? { prediction, likelihoodRatio: options.lr }
              : { prediction, direction: options.supports ? ('supports' as const) : ('contradicts' as const), strength: options.strength };
          const recorded = dataOf(
            await api.POST('/v1/evidence', {
              body: {
                summary: options.summary,
                observedAt: options.observedAt ?? new Date().toISOString(),
                impacts: [impact],
                ...(options.sourceUrl ? { sourceUrl: options.sourceUrl } : {}),
                ...(options.reliability !== undefined ? { reliability: options.reliability } : {}),
              },
            }),
          );
          if (out.json) return out.data(recorded);
          out.line(`evidence ${recorded.id}`);
          for (const move of recorded.impacts) {
            out.line(`  ${move.slug}: ${out.percent(move.probabilityBefore)} -> ${out.percent(move.probabilityAfter)} (${out.points(move.probabilityBefore, move.probabilityAfter)}, LR ${move.likelihoodRatio})`);
          }
        },
      ),
    );

  program
    .command('inbox')
    .description('signals waiting for review, with the rules they matched')
    .option('--limit <n>', 'at most this many (1-200)', limit, 50)
    .action(
      run(async ({ api, out }, options: { limit: number }) => {
        const page = dataOf(await api.GET('/v1/signals', { params: { query: { status: 'pending', limit: options.limit } } }));
        if (out.json) return out.data(page.items);
        if (page.items.length === 0) return out.line('The review inbox is empty.');
        out.table(
          ['id', 'title', 'rules', 'suggested impacts'],
          page.items.map((signal) => [
            signal.id,
            signal.title.length > 60 ? `${signal.title.slice(0, 59)}…` : signal.title,
            signal.matches.map((match) => match.ruleName).join(', ') || '-',
            signal.matches.flatMap((match) => match.impacts.map((impact) => `${impact.predictionSlug ?? impact.prediction} ${impact.direction} ${impact.strength}`)).join('; ') || '-',
          ]),
        );
      }),
    );

  program
    .command('accept <signal>')
    .description('accept a signal from the inbox as evidence, with the impacts its rules suggest')
    .option('--reliability <r>', 'how far the source is trusted, 0 to 1', Number)
    .action(
      run(async ({ api, out }, id: string, options: { reliability?: number }) => {
        const accepted = dataOf(
          await api.POST('/v1/signals/{id}/accept', { params: { path: { id } }, body: options.reliability !== undefined ? { reliability: options.reliability } : {} }),
        );
        if (out.json) return out.data(accepted);
        out.line(`accepted as evidence ${accepted.evidenceId}`);
        for (const move of accepted.impacts) {
          out.line(`  ${move.slug}: ${out.percent(move.probabilityBefore)} -> ${out.percent(move.probabilityAfter)} (${out.points(move.probabilityBefore, move.probabilityAfter)})`);
        }
      }),
    );

  program
    .command('scorecard <prediction>')
    .description('where a prediction stands: probability, change, top evidence, time left, scores')
    .action(
      run(async ({ api, out }, prediction: string) => {
        const card = dataOf(await api.GET('/v1/predictions/{idOrSlug}/scorecard', { params: { path: { idOrSlug: prediction } } }));
        if (out.json) return out.data(card);
        const c = out.colors;
        out.line(c.bold(card.title));
        out.line(`  ${c.dim('slug')}         ${card.slug}  (${card.status})`);
        out.line(`  ${c.dim('probability')}  ${c.bold(out.percent(card.probability))}  (prior ${out.percent(card.prior)})`);
        out.line(`  ${c.dim('change')}       7 days ${out.points(0, card.change.d7)}, 30 days ${out.points(0, card.change.d30)}, 90 days ${out.points(0, card.change.d90)}`);
        out.line(`  ${c.dim('deadline')}     ${card.deadline.slice(0, 10)}${card.timeLeftDays > 0 ? `, ${Math.floor(card.timeLeftDays)} days left` : ''}`);
        if (card.scores) out.line(`  ${c.dim('scores')}       Brier ${card.scores.brier.toFixed(3)}, log ${card.scores.logScore.toFixed(3)}`);
        if (card.topEvidence.length > 0) {
          out.table(
            ['top evidence', 'LR', 'dL'],
            card.topEvidence.map((item) => [item.summary.length > 70 ? `${item.summary.slice(0, 69)}…` : item.summary, item.likelihoodRatio, item.deltaLogOdds.toFixed(3)]),
          );
        }
      }),
    );

  program
    .command('reject <signal>')
    .description('reject a signal from the inbox (its whole story), with a reason')
    .requiredOption('--reason <text>', 'why it does not count')
    .action(
      run(async ({ api, out }, id: string, options: { reason: string }) => {
        const rejected = dataOf(await api.POST('/v1/signals/{id}/reject', { params: { path: { id } }, body: { reason: options.reason } }));
        if (out.json) return out.data(rejected);
        out.line(`rejected ${rejected.id}: ${rejected.title}`);
      }),
    );

  program
    .command('forecast <prediction> <probability>')
    .description('record your own probability for a prediction (id or slug), e.g. 0.6')
    .option('--note <text>', 'why, in a sentence or two')
    .action(
      run(async ({ api, out }, prediction: string, probability: string, options: { note?: string }) => {
        const forecast = dataOf(
          await api.POST('/v1/predictions/{idOrSlug}/forecasts', {
            params: { path: { idOrSlug: prediction } },
            body: { probability: Number(probability), ...(options.note ? { note: options.note } : {}) },
          }),
        );
        if (out.json) return out.data(forecast);
        out.line(`forecast ${forecast.id}: ${prediction} ${out.percent(forecast.probability)} by ${forecast.forecasterName}`);
      }),
    );

  program
    .command('resolve <prediction> <outcome>')
    .description('resolve a prediction: true, false or annulled, with a note')
    .requiredOption('--note <text>', 'what happened')
    .option('--source-url <url>', 'where it is recorded')
    .option('--occurred-at <time>', 'when the event happened, ISO 8601 with an offset (default: now)')
    .action(
      run(async ({ api, out }, prediction: string, outcome: string, options: { note: string; sourceUrl?: string; occurredAt?: string }) => {
        if (outcome !== 'true' && outcome !== 'false' && outcome !== 'annulled') throw new Error('outcome must be true, false or annulled');
        const resolved = dataOf(
          await api.POST('/v1/predictions/{idOrSlug}/resolve', {
            params: { path: { idOrSlug: prediction } },
            body: { outcome, note: options.note, ...(options.sourceUrl ? { sourceUrl: options.sourceUrl } : {}), ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}) },
          }),
        );
        if (out.json) return out.data(resolved);
        out.line(`${resolved.prediction.slug}: ${resolved.prediction.status} at ${out.percent(resolved.entry.probabilityBefore)}`);
      }),
    );

  program
    .command('explain <prediction>')
    .description('why a prediction stands where it does (or did, --at): the prior and every move, with its cause')
    .option('--at <time>', 'the time to explain, ISO 8601 with an offset (default: now)')
    .option('--limit <n>', 'at most this many moves (1-200)', limit, 50)
    .action(
      run(async ({ api, out }, prediction: string, options: { at?: string; limit: number }) => {
        const explanation = dataOf(
          await api.GET('/v1/predictions/{idOrSlug}/explain', { params: { path: { idOrSlug: prediction }, query: { limit: options.limit, ...(options.at ? { at: options.at } : {}) } } }),
        );
        if (out.json) return out.data(explanation);
        out.line(`${explanation.slug} at ${explanation.at}: ${out.percent(explanation.probability)} (prior ${out.percent(explanation.prior)})`);
        out.table(
          ['#', 'when', 'move', 'cause'],
          explanation.moves.map((move) => [
            move.sequence,
            move.at.slice(0, 16).replace('T', ' '),
            `${out.percent(move.probabilityBefore)} -> ${out.percent(move.probabilityAfter)} (${out.points(move.probabilityBefore, move.probabilityAfter)})`,
            move.cause.length > 70 ? `${move.cause.slice(0, 69)}…` : move.cause,
          ]),
        );
      }),
    );

  program
    .command('retract <evidence>')
    .description('retract evidence with a reason: a compensating move, nothing deleted')
    .requiredOption('--reason <text>', 'why it no longer counts')
    .action(
      run(async ({ api, out }, id: string, options: { reason: string }) => {
        const retracted = dataOf(await api.POST('/v1/evidence/{id}/retract', { params: { path: { id } }, body: { reason: options.reason } }));
        if (out.json) return out.data(retracted);
        out.line(`retracted ${retracted.id}`);
        for (const move of retracted.impacts) {
          out.line(`  ${move.slug}: ${out.percent(move.probabilityBefore)} -> ${out.percent(move.probabilityAfter)} (${out.points(move.probabilityBefore, move.probabilityAfter)})`);
        }
      }),
    );

  const digest = program.command('digest').description('digest emails');
  digest
    .command('send <subscriber>')
    .description('send a subscriber the digest as it stands now, as a test (the schedule does not move); admin')
    .action(
      run(async ({ api, out }, id: string) => {
        const sent = dataOf(await api.POST('/v1/subscribers/{id}/digest/send', { params: { path: { id } } }));
        if (out.json) return out.data(sent);
        out.line(`sent to ${sent.to}: ${sent.subject}`);
        if (sent.file) out.line(`  written to ${sent.file} (no SMTP_URL)`);
        out.line(`  the next scheduled digest: ${sent.nextDigestAt}`);
      }),
    );

  const webhooks = program.command('webhooks').description('webhook endpoints');
  webhooks
    .command('redeliver <webhook> <delivery>')
    .description('make one more attempt of a delivery now, with the same webhook-id; admin')
    .action(
      run(async ({ api, out }, id: string, deliveryId: string) => {
        const attempt = dataOf(await api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id, deliveryId } } }));
        if (out.json) return out.data(attempt);
        out.line(`delivery ${attempt.deliveryId}: ${attempt.status}${attempt.attempt.responseCode ? ` (HTTP ${attempt.attempt.responseCode})` : ''}`);
      }),
    );

  return program;
}
