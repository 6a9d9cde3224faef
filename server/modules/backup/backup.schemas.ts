import { Type } from 'typebox';

/** The body of POST /api/backup: the passphrase the data key is sealed with (its length is checked by the service). */
export const BackupRequest = Type.Object(
  { passphrase: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
