/** Where the database is, once it is open: a PostgreSQL server or the embedded PGlite's socket. */
export class DatabaseConnection {
  constructor(
    readonly url: string,
    readonly kind: 'postgres' | 'pglite',
  ) {}
}
