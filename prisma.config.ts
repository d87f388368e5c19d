import { defineConfig } from 'prisma/config';

// Migrations are applied by the project's own runner (libs/db/src/migrations.ts);
// this file serves `prisma generate` and, where the schema engine is available,
// `prisma migrate deploy`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/bellwether' },
});
