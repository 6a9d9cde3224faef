/** The shortest passphrase a backup's key may be sealed with (the same floor as TSUNAGU_SECRET_PASSPHRASE). */
export const MIN_BACKUP_PASSPHRASE = 12;
