/**
 * The form of a link that two reports of the same article agree on, so one
 * article reached by different links is recognised as one: a signal item seen
 * twice, or evidence recorded twice from one story.
 */

/** Query parameters that only say how someone arrived at a page, never which page it is. */
const TRACKING_PARAMETER =
  /^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|ref_src|_ga|_gl|mkt_tok|cmpid|ocid|smid|guccounter|guce_referrer|guce_referrer_sig|at_medium|at_campaign)$/i;

/** Host labels that name a mobile or AMP edition of the same site (and `www`, which names the site itself). */
const EDITION_LABEL = /^(www|m|mobile|amp)\.(?=[^.]+\.[^.]+)/i;

/** Google's AMP cache and viewer serve a page under their own host, naming the origin in the path. */
const AMP_CACHE_HOST = /\.cdn\.ampproject\.org$/i;

/**
 * http(s) only; host case, a default port, a leading `www.`, `m.`, `mobile.` or
 * `amp.` label, fragment, credentials and tracking parameters dropped; AMP
 * editions (an `/amp` path segment, a `.amp.html` page, `amp` or
 * `outputType=amp` parameters, Google's AMP cache and viewer) read as the page
 * they render; the scheme made https; the remaining parameters sorted. The
 * path is otherwise kept as it is: `/a` and `/a/` may be different pages.
 * Returns null for anything that is not an absolute http(s) URL.
 */
export function canonicalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const origin = ampOrigin(url);
  if (origin) return canonicalUrl(origin);
  url.protocol = 'https:';
  url.hash = '';
  url.username = '';
  url.password = '';
  url.hostname = url.hostname.replace(EDITION_LABEL, '');
  url.pathname = withoutAmp(url.pathname);
  const kept = [...url.searchParams].filter(([name, value]) => !TRACKING_PARAMETER.test(name) && !isAmpParameter(name, value));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.toString();
}

/** The page an AMP cache or viewer link renders: `x.cdn.ampproject.org/c/s/host/path`, `google.com/amp/s/host/path`. */
function ampOrigin(url: URL): string | null {
  const viewer = /^\/amp\/(s\/)?(.+)$/.exec(url.pathname);
  const cache = /^\/[cv]\/(s\/)?(.+)$/.exec(url.pathname);
  const match = AMP_CACHE_HOST.test(url.hostname) ? cache : /(^|\.)google\.[a-z.]+$/i.test(url.hostname) ? viewer : null;
  if (!match || !match[2]!.includes('.')) return null;
  return `${match[1] ? 'https' : 'http'}://${match[2]}${url.search}`;
}

/** The path without `amp` segments (`/amp/x`, `/x/amp`) and with `x.amp.html` read as `x.html`; a page that is only `/amp` is kept. */
function withoutAmp(path: string): string {
  if (/^\/amp\/?$/i.test(path)) return path;
  const kept = path.split('/').filter((segment) => segment.toLowerCase() !== 'amp');
  return kept.join('/').replace(/\.amp\.html$/i, '.html') || '/';
}

function isAmpParameter(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'amp' || ((lower === 'outputtype' || lower === 'output') && value.toLowerCase() === 'amp');
}
