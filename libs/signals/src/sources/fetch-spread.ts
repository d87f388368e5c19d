/** The host a URL names (with its port), or the URL itself when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The same sources in an order that takes turns between hosts: the first of
 * each host (by their order here, oldest due first), then the second of each,
 * and so on. Workers taking jobs in this order keep many hosts busy at once
 * rather than queueing on one host's limit.
 */
export function spreadByHost<T extends { url: string }>(sources: readonly T[]): T[] {
  const byHost = new Map<string, T[]>();
  for (const source of sources) {
    const host = hostOf(source.url);
    const list = byHost.get(host);
    if (list) list.push(source);
    else byHost.set(host, [source]);
  }
  const lists = [...byHost.values()];
  const spread: T[] = [];
  for (let round = 0; spread.length < sources.length; round += 1) {
    for (const list of lists) {
      const source = list[round];
      if (source) spread.push(source);
    }
  }
  return spread;
}
