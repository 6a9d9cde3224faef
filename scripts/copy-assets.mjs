// Copies what the compiled server reads from disk next to it, so dist/ runs on its own: the SQL migrations, and the
// stylesheet and script of the server-rendered pages.
import { cpSync } from 'node:fs';

cpSync('server/db/migrations', 'dist/server/db/migrations', { recursive: true });
cpSync('server/http/assets', 'dist/server/http/assets', { recursive: true });
