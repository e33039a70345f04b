import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { InstructionRepo } from '../../../ports/repositories.ts';
import type { InstructionRecord, InstructionStatusRecord, NewInstruction } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { instructions } from '../schema.ts';
import type { Sync } from '../sync.ts';

export class SqliteInstructions implements Sync<InstructionRepo> {
  constructor(private readonly db: Db) {}

  add(i: NewInstruction): void {
    this.db
      .insert(instructions)
      .values({ id: i.id, attemptId: i.attemptId, type: i.type, message: i.message, reason: i.reason, issuedAt: i.issuedAt, issuedBy: i.issuedBy, deviceGeneration: i.deviceGeneration, batchId: i.batchId ?? null })
      .run();
  }

  pending(attemptId: string, deviceGeneration: number): InstructionRecord[] {
    return this.db
      .select({ id: instructions.id, attemptId: instructions.attemptId, type: instructions.type, message: instructions.message, issuedAt: instructions.issuedAt })
      .from(instructions)
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), isNull(instructions.ackedAt)))
      .orderBy(asc(instructions.issuedAt), asc(instructions.id))
      .all();
  }

  markDelivered(attemptId: string, ids: string[], now: number): void {
    if (ids.length === 0) return;
    this.db
      .update(instructions)
      .set({ deliveredAt: now })
      .where(and(eq(instructions.attemptId, attemptId), inArray(instructions.id, ids), isNull(instructions.deliveredAt)))
      .run();
  }

  ack(attemptId: string, deviceGeneration: number, ids: string[], now: number): number {
    if (ids.length === 0) return 0;
    return this.db
      .update(instructions)
      .set({ ackedAt: now })
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), inArray(instructions.id, ids), isNull(instructions.ackedAt)))
      .run().changes;
  }

  list(attemptId: string): InstructionStatusRecord[] {
    return this.db
      .select({
        id: instructions.id,
        attemptId: instructions.attemptId,
        type: instructions.type,
        message: instructions.message,
        issuedAt: instructions.issuedAt,
        deliveredAt: instructions.deliveredAt,
        ackedAt: instructions.ackedAt,
      })
      .from(instructions)
      .where(eq(instructions.attemptId, attemptId))
      .orderBy(asc(instructions.issuedAt), asc(instructions.id))
      .all();
  }

  attemptsWithPending(): string[] {
    return this.db
      .selectDistinct({ attemptId: instructions.attemptId })
      .from(instructions)
      .where(isNull(instructions.ackedAt))
      .all()
      .map((r) => r.attemptId);
  }
}
