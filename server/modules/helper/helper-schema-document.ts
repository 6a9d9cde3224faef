import { HELPER_API_SCHEMAS } from './helper.schemas.js';

/** The published JSON Schema document of the helper API's requests and responses (docs/helper-api.schema.json). */
export function helperSchemaDocument(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tsunagu.app/schemas/helper-api/v1.json',
    title: 'Tsunagu macOS helper API v1',
    description: [
      'Every request and response body of the macOS guided-install helper API (docs/helper-api.md), as the server validates and sends them.',
      'GET /helper/v1/server: HelperServerInfo.',
      'POST /helper/v1/sessions: HelperSignInRequest, answered 201 HelperSession.',
      'DELETE /helper/v1/session: answered 204.',
      'POST /helper/v1/enrollments: answered 201 HelperEnrollment.',
      'POST /helper/v1/enrollments/{id}/profile: answered 200 HelperProfile.',
      'GET /helper/v1/enrollments/{id}: answered 200 HelperEnrollmentStatus.',
      'Every error answer: HelperError.',
    ].join(' '),
    // JSON round trip: TypeBox's schemas carry symbol keys that are not part of the document.
    $defs: JSON.parse(JSON.stringify(HELPER_API_SCHEMAS)) as Record<string, unknown>,
  };
}
