/**
 * The exact strings a kiosk signs with its Ed25519 device key (PROTOCOL.md "Device identity").
 * Server and agent both build them here so they can never drift apart.
 */
export function heartbeatSigningString(attemptId: string, seq: number): string {
  return `invigil-heartbeat:v1:${attemptId}:${seq}`;
}

export function recoverSigningString(attemptId: string, recoveryToken: string): string {
  return `invigil-recover:v1:${attemptId}:${recoveryToken}`;
}
