import { DEFAULT_MAIL_FROM, loadConfig } from './app-config.js';

describe('what an unset PUBLIC_URL or MAIL_FROM breaks, said at start-up', () => {
  it('warns when PUBLIC_URL is unset or plain http, and not when it is https', () => {
    const unset = loadConfig({ PORT: '3000' });
    expect(unset.publicUrl).toBe('http://localhost:3000');
    expect(unset.publicUrlWarning).toMatch(/PUBLIC_URL is unset: links in digests, webhooks and Slack point at localhost.*one-click unsubscribe \(RFC 8058\) needs HTTPS/);
    expect(loadConfig({ PUBLIC_URL: 'http://bellwether.example.org' }).publicUrlWarning).toMatch(/plain http: mail clients refuse one-click unsubscribe/);
    const https = loadConfig({ PUBLIC_URL: 'https://bellwether.example.org/' });
    expect(https.publicUrlWarning).toBeNull();
    expect(https.publicUrl).toBe('https://bellwether.example.org');
  });

  it('warns while MAIL_FROM is the placeholder', () => {
    expect(loadConfig({}).MAIL_FROM).toBe(DEFAULT_MAIL_FROM);
    expect(loadConfig({}).mailFromWarning).toMatch(/MAIL_FROM is unset/);
    expect(loadConfig({ MAIL_FROM: 'Bellwether <digest@example.org>' }).mailFromWarning).toBeNull();
  });
});
