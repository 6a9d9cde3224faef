// Where the helper keeps downloaded enrollment profiles until System Settings installs them: one private folder,
// files readable only by the user, each download under a new name so the voided one can be deleted by itself.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Saves and discards downloaded profiles in one folder. */
export interface ProfileFiles {
  /** Writes the profile (mode 0600) and returns its path; the name keeps the server's file name, made unique. */
  save(fileName: string, bytes: Buffer): Promise<string>;
  /** Deletes a profile this store saved (a missing file is fine; paths outside the folder are refused). */
  discard(path: string): Promise<void>;
}

/** A profile store in `dir` (created 0700 on first use). */
export function createProfileFiles(dir: string): ProfileFiles {
  return {
    async save(fileName, bytes) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const safe =
        basename(fileName)
          .replace(/[^A-Za-z0-9._-]/g, '_')
          .replace(/\.mobileconfig$/i, '') || 'profile';
      const path = join(dir, `${safe}-${randomBytes(4).toString('hex')}.mobileconfig`);
      await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
      return path;
    },
    async discard(path) {
      if (join(dir, basename(path)) !== path) throw new Error(`Refusing to delete ${path}: not a saved profile.`);
      await rm(path, { force: true });
    },
  };
}
