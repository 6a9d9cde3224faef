import { AGENT_SCHEMAS } from './agent.schemas.js';

/** The published JSON Schema document of the agent API requests (docs/agent-api.schema.json). */
export function agentSchemaDocument(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tsunagu.app/schemas/agent-api/v1.json',
    title: 'Tsunagu Android agent API v1 requests',
    description:
      'Request bodies of POST /agent/v1/enroll and POST /agent/v1/check-in. Responses are described in docs/agent-api.md.',
    $defs: JSON.parse(JSON.stringify(AGENT_SCHEMAS)) as Record<string, unknown>,
  };
}
