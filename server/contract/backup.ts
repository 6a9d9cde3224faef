/** The shortest passphrase a backup's key may be sealed with (the same floor as TSUNAGU_SECRET_PASSPHRASE). */
export const MIN_BACKUP_PASSPHRASE = 12;

/** An uploaded backup waiting for its passphrase: what its header says. */
export interface RestoreUploadDto {
  uploadId: string;
  /** When the backup was made. */
  createdAt: string;
  schemaVersion: number;
  bytes: number;
}

/** Restores the uploaded backup: its data key is opened with the passphrase it was sealed with. */
export interface RestoreRequest {
  uploadId: string;
  passphrase: string;
}
