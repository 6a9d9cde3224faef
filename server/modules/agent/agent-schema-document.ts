import { AGENT_RESPONSE_SCHEMAS } from './agent-responses.js';
import { AGENT_REQUEST_SCHEMAS } from './agent.schemas.js';

/** The published JSON Schema document of the agent API's requests and responses (docs/agent-api.schema.json). */
export function agentSchemaDocument(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tsunagu.app/schemas/agent-api/v1.json',
    title: 'Tsunagu Android agent API v1',
    description: [
      'Every request and response body of the Android agent API (docs/agent-api.md), as the server validates and sends them.',
      'POST /agent/v1/enroll: AgentEnrollRequest, answered 201 AgentEnrollResponse.',
      'POST /agent/v1/check-in: AgentCheckInRequest, answered 200 AgentCheckInResponse.',
      'POST /agent/v1/token/rotate: no body or AgentTokenRotateRequest, answered 200 AgentTokenRotateResponse.',
      'GET /agent/v1/configurations: no body, answered 200 AgentConfigurationsResponse.',
      'POST /agent/v1/configurations/report: AgentConfigurationReport, answered 200 AgentConfigurationReportResponse.',
      'Every error answer: AgentError.',
      'maxLength counts Unicode code points.',
      'The auth union carries the OpenAPI discriminator keyword (with Ajv: new Ajv2020({ discriminator: true })); validators that do not know it validate the same bodies.',
    ].join(' '),
    // JSON round trip: TypeBox's schemas carry symbol keys that are not part of the document.
    $defs: JSON.parse(JSON.stringify({ ...AGENT_REQUEST_SCHEMAS, ...AGENT_RESPONSE_SCHEMAS })) as Record<
      string,
      unknown
    >,
  };
}
