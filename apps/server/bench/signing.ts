import { heartbeatSigningString } from '@invigil/contract';
import { sign, type KeyObject } from 'node:crypto';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

const SIGNER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const out = workerData.jobs.map((job) => {
  const key = createPrivateKey({ key: Buffer.from(job.pkcs8), format: 'der', type: 'pkcs8' });
  const sigs = new Array(job.count);
  for (let i = 0; i < job.count; i++) {
    sigs[i] = sign(null, Buffer.from(job.prefix + (job.fromSeq + i), 'utf8'), key).toString('base64url');
  }
  return sigs;
});
parentPort.postMessage(out);
`;

export interface Live {
  candidateId: string;
  token: string;
  attemptId: string;
  fingerprint: string;
  privateKey: KeyObject;
  pkcs8: Buffer;
  /** Last heartbeat seq used. */
  seq: number;
  /** Pre-made signatures for seqs presignedFrom, presignedFrom + 1, ... */
  presigned: string[];
  presignedFrom: number;
  /** Answer saves: last clientSeq sent, and per question the last acknowledged {clientSeq, value}. */
  clientSeq: number;
  acked: Map<string, { clientSeq: number; value: unknown }>;
}

/** Signs `count` heartbeats per session (from seq+1) on two worker threads. */
export async function presign(sessions: Live[], count: number): Promise<void> {
  const threads = Math.max(1, Math.min(2, cpus().length));
  const shares = Array.from({ length: threads }, (_, t) => sessions.filter((_, i) => i % threads === t));
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((res, rej) => {
          const jobs = share.map((s) => ({ pkcs8: new Uint8Array(s.pkcs8), prefix: heartbeatSigningString(s.attemptId, 0).slice(0, -1), fromSeq: s.seq + 1, count }));
          const worker = new Worker(SIGNER, { eval: true, workerData: { jobs } });
          worker.once('message', (sigs: string[][]) => {
            share.forEach((s, i) => {
              s.presigned = sigs[i]!;
              s.presignedFrom = s.seq + 1;
            });
            void worker.terminate();
            res();
          });
          worker.once('error', rej);
        }),
    ),
  );
}

export const signing = { inline: 0 };
export function nextHeartbeat(s: Live): { seq: number; signature: string } {
  const seq = ++s.seq;
  const i = seq - s.presignedFrom;
  let signature = i >= 0 && i < s.presigned.length ? s.presigned[i] : undefined;
  if (signature === undefined) {
    signing.inline += 1;
    signature = sign(null, Buffer.from(heartbeatSigningString(s.attemptId, seq), 'utf8'), s.privateKey).toString('base64url');
  }
  return { seq, signature };
}

