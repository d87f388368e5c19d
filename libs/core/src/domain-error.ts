/**
 * Errors the feature libraries raise for the API to translate: a stable code
 * (the problem+json `type`), a message for people, and the offending field when
 * bad input caused it. The libraries never speak HTTP; the API maps kinds to statuses.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable' | 'unprocessable' | 'unsupported_media_type';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, idOrSlug: string, field?: string) {
    super('not_found', `${what.toLowerCase().replace(/\s+/g, '-')}-not-found`, `${what} "${idOrSlug}" does not exist`, field);
  }
}
