import { join } from 'node:path';

/** Where everything lives inside the data directory. */
export interface DataPaths {
  db: string;
  logs: string;
  secretKey: string;
  lock: string;
  /** The admin's upload of the macOS helper. */
  helperBuilds: string;
}

/** The file layout of a data directory. */
export function dataPaths(dataDir: string): DataPaths {
  return {
    db: join(dataDir, 'tsunagu.db'),
    logs: join(dataDir, 'logs'),
    secretKey: join(dataDir, 'secret.key'),
    lock: join(dataDir, 'serve.lock'),
    helperBuilds: join(dataDir, 'helper'),
  };
}
