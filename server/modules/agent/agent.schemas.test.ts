import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentSchemaDocument } from './agent-schema-document.js';

const FILE = new URL('../../../docs/agent-api.schema.json', import.meta.url);

describe('the published agent API schema', () => {
  it('matches the schemas the server validates with (UPDATE_AGENT_SCHEMA=1 rewrites it)', () => {
    const expected = `${JSON.stringify(agentSchemaDocument(), null, 2)}\n`;
    if (process.env.UPDATE_AGENT_SCHEMA === '1') writeFileSync(FILE, expected);
    expect(readFileSync(FILE, 'utf8')).toBe(expected);
  });
});
