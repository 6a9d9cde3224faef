// Copies the SQL migrations next to the compiled server so dist/ runs on its own.
import { cpSync } from 'node:fs';

cpSync('server/db/migrations', 'dist/server/db/migrations', { recursive: true });
