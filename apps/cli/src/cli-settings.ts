import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CliSettings {
  url: string;
  key: string | undefined;
}

/** Where the CLI looks for `{"url", "key"}` when the environment does not say: BELLWETHER_CONFIG, else ~/.config/bellwether/config.json. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BELLWETHER_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'bellwether', 'config.json');
}

/** Options first, then BELLWETHER_URL and BELLWETHER_KEY, then the config file, then http://localhost:3000. */
export async function loadCliSettings(options: { url?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): Promise<CliSettings> {
  const file = await readConfigFile(configFilePath(env));
  return {
    url: (options.url ?? env.BELLWETHER_URL ?? file.url ?? 'http://localhost:3000').replace(/\/+$/, ''),
    key: options.key ?? env.BELLWETHER_KEY ?? file.key,
  };
}

async function readConfigFile(path: string): Promise<{ url?: string; key?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path} must hold a JSON object {"url", "key"}`);
  const { url, key } = parsed as Record<string, unknown>;
  return { ...(typeof url === 'string' ? { url } : {}), ...(typeof key === 'string' ? { key } : {}) };
}
