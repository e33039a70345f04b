import { defineConfig } from 'drizzle-kit';

/** PostgreSQL (DATABASE_URL=postgres://…): `npx drizzle-kit generate --config drizzle.postgres.config.ts --name <what>`. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/postgres/schema.ts',
  out: './src/adapters/postgres/migrations',
});
