import createClient, { type Client } from 'openapi-fetch';

import type { components, paths } from './bellwether-api.js';

export type BellwetherClient = Client<paths>;
export type Problem = components['schemas']['Problem'];

/** The typed client of the Bellwether API: every path, body and answer typed from the OpenAPI document. */
export function createBellwetherClient(baseUrl: string, key: string | undefined): BellwetherClient {
  return createClient<paths>({ baseUrl, headers: key ? { Authorization: `Bearer ${key}` } : {} });
}

/** An answer of the API that is not a success: its problem+json, as the document types it. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}

/** The data of a successful answer, or a ProblemError carrying the problem the API sent. */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const problem = isProblem(result.error)
      ? result.error
      : { type: 'about:blank', title: `HTTP ${result.response.status}`, status: result.response.status, detail: result.response.statusText };
    throw new ProblemError(result.response.status, problem);
  }
  return result.data;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).type === 'string' && typeof (value as Problem).title === 'string';
}
