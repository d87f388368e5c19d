import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SOURCE = join(ROOT, 'libs/notify/src/digest-templates');
const BUILT = join(ROOT, 'dist/libs/notify/src/digest-templates');

/** Runs after `npm run build` (npm test builds first): the build copies the digest templates and the built code reads them from dist. */
describe('digest templates in the build', () => {
  it('copies every template into dist beside the built renderer', () => {
    expect(existsSync(join(ROOT, 'dist/libs/notify/src/digest-renderer.js'))).toBe(true);
    const templates = readdirSync(SOURCE).sort();
    expect(templates).toEqual(expect.arrayContaining(['digest-html.eta', 'digest-text.eta', 'digest.css']));
    for (const template of templates) expect(readFileSync(join(BUILT, template), 'utf8')).toBe(readFileSync(join(SOURCE, template), 'utf8'));
  });

  it('renders a digest with the built code from the templates in dist', () => {
    const script = `
      import { DigestRenderer } from './dist/libs/notify/src/digest-renderer.js';
      const renderer = new DigestRenderer();
      const now = new Date('2026-11-29T08:00:00Z');
      const digest = { period: { start: now, end: now }, moves: [], settled: [], divergences: [], newEvidence: [], crossings: [], resolutions: [], deadlines: [], pendingReview: 2, pendingReviewCapped: false, entryCount: 0 };
      const rendered = await renderer.render(digest, { frequency: 'daily', timezone: 'UTC', unsubscribeUrl: 'https://bellwether.example/v1/unsubscribe/t', publicUrl: 'https://bellwether.example' });
      process.stdout.write(JSON.stringify({ directory: renderer.directory, ...rendered }));`;
    const output = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as { directory: string; subject: string; html: string; text: string };
    expect(output.directory).toBe(`${BUILT}/`);
    expect(output.subject).toBe('Bellwether daily digest: nothing moved');
    expect(output.html).toMatch(/style="/);
    expect(output.text).toContain('2 signals wait in the review inbox.');
  });
});
