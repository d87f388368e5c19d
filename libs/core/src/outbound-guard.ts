import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

import { DomainError } from './domain-error.js';
import { OutboundAllowlist, specialAddressKind } from './network-address.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (node:dns by default; tests pass their own answers). */
export type HostResolver = (hostName: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = async (hostName) =>
  (await dnsLookup(hostName, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/** Enough for every endpoint and feed host of an installation; past it the memory starts afresh. */
const MAX_REMEMBERED_VERDICTS = 10_000;

/** An outbound request the guard will not make; the message says which address and why, and how to allow it. */
export class OutboundRequestRefusedError extends DomainError {
  constructor(message: string, field = 'url') {
    super('invalid', 'outbound-request-refused', message, field);
  }
}

/**
 * Server-side request forgery guard for every request Bellwether makes on a
 * user's behalf. It resolves the host, refuses when ANY of its addresses is
 * loopback, private, link-local or otherwise special (unless OUTBOUND_ALLOWLIST
 * allows it), and returns the checked address so the caller connects to
 * exactly that one: a second DNS answer (rebinding) never gets a say.
 */
export class OutboundGuard {
  private readonly allowlist: OutboundAllowlist;
  /**
   * The verdict on each (host, address) pair met, null when allowed: it depends on
   * nothing else (the allowlist is fixed), and a fan-out asks it for every request
   * to the same few endpoints, where the address checks were 8% of the worker's CPU.
   */
  private readonly refusals = new Map<string, string | null>();

  constructor(
    allowlist: string,
    private readonly resolveHost: HostResolver = systemResolver,
  ) {
    this.allowlist = new OutboundAllowlist(allowlist);
  }

  /** Refuses anything but http(s) URLs with a host; does not touch the network. */
  checkUrlShape(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRequestRefusedError(`Only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`);
    }
    if (url.username || url.password) throw new OutboundRequestRefusedError('URLs with credentials are not fetched');
  }

  /**
   * Checks a URL someone is saving (a source, a webhook endpoint) without
   * resolving it: a valid http(s) URL, and a literal IP must be allowed, so an
   * obviously internal URL is refused up front. The refusal names `field`.
   */
  checkSavedUrl(url: string, field = 'url'): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundRequestRefusedError(`${field} is not a valid URL`, field);
    }
    try {
      this.checkUrlShape(parsed);
      const host = bareHost(parsed);
      if (isIP(host) !== 0) this.checkAddress(host, host);
    } catch (error) {
      if (error instanceof OutboundRequestRefusedError) throw new OutboundRequestRefusedError(error.message, field);
      throw error;
    }
  }

  /** The address to connect to for this URL, after checking every address its host resolves to. */
  async resolve(url: URL): Promise<ResolvedAddress> {
    this.checkUrlShape(url);
    const host = bareHost(url);
    const literal = isIP(host);
    if (literal !== 0) {
      this.checkAddress(host, host);
      return { address: host, family: literal === 6 ? 6 : 4 };
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolveHost(host);
    } catch (error) {
      throw new OutboundRequestRefusedError(`The host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const [first] = addresses;
    if (!first) throw new OutboundRequestRefusedError(`The host ${host} has no addresses`);
    // All of them, not only the first: the system resolver may hand another one to a later connection.
    for (const { address } of addresses) this.checkAddress(host, address);
    return first;
  }

  private checkAddress(host: string, address: string): void {
    const key = `${host} ${address}`;
    let refusal = this.refusals.get(key);
    if (refusal === undefined) {
      refusal = this.refusalFor(host, address);
      if (this.refusals.size >= MAX_REMEMBERED_VERDICTS) this.refusals.clear();
      this.refusals.set(key, refusal);
    }
    if (refusal !== null) throw new OutboundRequestRefusedError(refusal);
  }

  private refusalFor(host: string, address: string): string | null {
    const kind = specialAddressKind(address);
    if (kind === null || this.allowlist.allows(host, address)) return null;
    const shown = host === address ? address : `${host} (${address})`;
    return `Refused to connect to ${shown}: it is a ${kind} address. Add the host or address to OUTBOUND_ALLOWLIST to allow it.`;
  }
}

/** URL.hostname keeps the brackets of an IPv6 literal; the checks need the bare address. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** A `lookup` that answers every query with the address the guard checked, whatever DNS would say now. */
export function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}
