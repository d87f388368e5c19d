import type { Request } from 'express';

import { roleSatisfies } from '#auth';

import { pageFormat } from './page-format.js';
import type { WebRequest } from './web-session.guard.js';

export type NavSection = 'overview' | 'inbox' | 'indicators' | 'calibration' | 'leaderboard' | 'sources' | 'rules' | 'webhooks' | 'digests' | 'people' | 'none';

/** What every page's layout needs: who is signed in, what they may do, the form token, the formatters. */
export interface PageContext {
  title: string;
  nav: NavSection;
  user: { name: string; role: string } | null;
  canEdit: boolean;
  isAdmin: boolean;
  csrfToken: string;
  f: typeof pageFormat;
}

export function pageContext(request: Request, title: string, nav: NavSection = 'none'): PageContext {
  const session = (request as WebRequest).webSession;
  return {
    title,
    nav,
    user: session ? { name: session.principal.name, role: session.principal.role } : null,
    canEdit: session ? roleSatisfies(session.principal.role, 'analyst') : false,
    isAdmin: session ? roleSatisfies(session.principal.role, 'admin') : false,
    csrfToken: session?.csrfToken ?? '',
    f: pageFormat,
  };
}

/** Requests made by the page's own script want a fragment back, not a whole page. */
export function isFetchRequest(request: Request): boolean {
  return request.headers['x-requested-with'] === 'fetch';
}
