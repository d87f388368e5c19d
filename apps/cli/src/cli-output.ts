import Table from 'cli-table3';
import pc from 'picocolors';

import type { Problem } from './bellwether-client.js';

/** How the CLI writes: JSON for scripts (`--json`), tables otherwise, coloured when stdout is a terminal. */
export class CliOutput {
  private readonly c: ReturnType<typeof pc.createColors>;

  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
    colors: boolean = pc.isColorSupported,
  ) {
    this.c = pc.createColors(colors && !json);
  }

  get colors(): ReturnType<typeof pc.createColors> {
    return this.c;
  }

  data(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  table(head: string[], rows: (string | number)[][]): void {
    const table = new Table({
      head: head.map((cell) => this.c.bold(cell)),
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    table.push(...rows.map((row) => row.map(String)));
    this.line(table.toString());
  }

  /** A problem from the API: its title, detail and each offending field; the problem itself under --json. */
  problem(status: number, problem: Problem): void {
    if (this.json) {
      this.err.write(`${JSON.stringify(problem, null, 2)}\n`);
      return;
    }
    const lines = [`${this.c.red(this.c.bold(`error ${status}`))} ${problem.title}${problem.detail && problem.detail !== problem.title ? `: ${problem.detail}` : ''}`];
    for (const field of problem.errors ?? []) lines.push(`  ${this.c.yellow(field.field)}: ${field.message}`);
    lines.push(this.c.dim(`  (${problem.type})`));
    this.err.write(`${lines.join('\n')}\n`);
  }

  failure(message: string): void {
    this.err.write(`${this.c.red('error')} ${message}\n`);
  }

  /** 0.423 -> "42.3%". */
  percent(probability: number | null | undefined): string {
    return probability === null || probability === undefined ? '-' : `${(probability * 100).toFixed(1)}%`;
  }

  /** A move in percentage points, green up and red down. */
  points(before: number, after: number): string {
    const delta = (after - before) * 100;
    const text = `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} pts`;
    return delta > 0 ? this.c.green(text) : delta < 0 ? this.c.red(text) : text;
  }
}
