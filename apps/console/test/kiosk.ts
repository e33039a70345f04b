import { call, candidateLogin, TestDevice, type SpawnedServer } from '@invigil/server/testing';

/** A scripted kiosk: signs in, starts the exam with a real Ed25519 device key, heartbeats. */
export class Kiosk {
  token = '';
  attemptId = '';
  dev = new TestDevice();
  instructions: { id: string; type: string; message?: string }[] = [];
  last: any = null;

  constructor(
    public s: SpawnedServer,
    readonly examId: string,
    readonly cand: { candidateId: string; accessCode: string },
    readonly userAgent = 'Mozilla/5.0 (X11; Linux x86_64) InvigilKiosk/0.1 Electron/39.0.0',
  ) {}

  async start(): Promise<this> {
    this.token = await candidateLogin(this.s, this.examId, this.cand, this.userAgent);
    const r = await call(`${this.s.api}/exams/sessions/start`, 'POST', { examSetId: this.examId, devicePublicKey: this.dev.publicKey, deviceFingerprint: this.dev.fingerprint }, this.token, { 'user-agent': this.userAgent });
    if (r.status !== 201) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.attemptId = r.body.attemptId;
    return this;
  }

  /** One signed heartbeat; acknowledges the instructions it received last time. */
  async beat(): Promise<any> {
    const ack = this.instructions.map((i) => i.id);
    const r = await call(`${this.s.api}/exams/sessions/heartbeat`, 'POST', this.dev.heartbeat(this.attemptId, undefined, ack.length ? { ackInstructionIds: ack } : {}), this.token);
    this.last = r.body;
    this.instructions = r.body?.instructions ?? [];
    return r.body;
  }

  async answer(questionId: string, value: unknown, clientSeq: number): Promise<void> {
    await call(`${this.s.api}/exams/sessions/${this.attemptId}/answers/${questionId}`, 'PUT', { value, clientSeq }, this.token);
  }

  /** The candidate moves to a new desk: new kiosk (new key), signs in again, claims with the code. */
  async claim(resumeCode: string): Promise<any> {
    this.dev = new TestDevice();
    this.token = await candidateLogin(this.s, this.examId, this.cand, this.userAgent);
    const r = await call(`${this.s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode, devicePublicKey: this.dev.publicKey, deviceFingerprint: this.dev.fingerprint }, this.token, { 'user-agent': this.userAgent });
    if (r.status === 200) {
      this.attemptId = r.body.attemptId;
      this.instructions = [];
    }
    return r;
  }
}

/** Keeps kiosks heartbeating in the background (bounded: stops when told, errors ignored). */
export function heartbeatLoop(kiosks: () => Kiosk[], everyMs: number): () => void {
  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      await Promise.all(kiosks().map((k) => k.beat().catch(() => undefined)));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void tick();
  return () => {
    stopped = true;
  };
}
