/** RFC 9457 problem details: the one error format of the API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Every field the request got wrong, each named as the client sent it. */
  errors?: { field: string; message: string }[];
  errorId?: string;
  requestId?: string;
  /** `/health/ready` when it fails: each check and its state. */
  checks?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A stable, documented `type` per problem code (see README, "Errors"). */
export function problemType(code: string): string {
  return `https://bellwether.dev/problems/${code}`;
}
