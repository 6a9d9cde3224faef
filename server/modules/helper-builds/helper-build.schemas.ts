import { Type } from 'typebox';

/** Query of PUT /api/settings/helper-build: the uploaded file's name (its extension says the kind). */
export const HelperUploadQuery = Type.Object(
  { fileName: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
