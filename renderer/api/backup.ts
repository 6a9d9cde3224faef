// The backup download (POST /api/backup): the database and the data key sealed with the admin's passphrase, one file.
import type { ApiClient, DownloadedFile } from './client.js';

/** The backup endpoint. */
export interface BackupApi {
  /** Makes a backup sealed with `passphrase` and answers the file (its bytes and the name the server gives it). */
  download(passphrase: string): Promise<DownloadedFile>;
}

/** Builds the backup endpoint over a client. */
export function createBackupApi(client: ApiClient): BackupApi {
  return { download: (passphrase) => client.download('POST', '/api/backup', { passphrase }) };
}
