/** The agent enrollment QR code's content: where to enroll, the single-use token, and the CA to pin (docs/agent-api.md). */
export function agentQrPayload(input: { server: string; token: string; caFingerprint256: string }): string {
  return JSON.stringify({
    v: 1,
    server: input.server,
    token: input.token,
    caSha256: input.caFingerprint256.replace(/:/g, '').toLowerCase(),
  });
}
