import { Type } from 'typebox';

/** The body of POST /api/backup: the passphrase the data key is sealed with (its length is checked by the service). */
export const BackupRequest = Type.Object(
  { passphrase: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);

/** The body of POST /api/restore: the upload to restore and the passphrase its data key was sealed with. */
export const RestoreApplyRequest = Type.Object(
  { uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }), passphrase: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
