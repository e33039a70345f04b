import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { InstructionRepo } from '../../../ports/repositories.ts';
import type { InstructionRecord, InstructionStatusRecord, NewInstruction } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { instructions } from '../schema.ts';

export class PgInstructions implements InstructionRepo {
  constructor(private readonly x: Exec) {}

  async add(i: NewInstruction): Promise<void> {
    await this.x.db
      .insert(instructions)
      .values({ id: i.id, attemptId: i.attemptId, type: i.type, message: i.message, reason: i.reason, issuedAt: i.issuedAt, issuedBy: i.issuedBy, deviceGeneration: i.deviceGeneration, batchId: i.batchId ?? null });
  }

  pending(attemptId: string, deviceGeneration: number): Promise<InstructionRecord[]> {
    return this.x.db
      .select({ id: instructions.id, attemptId: instructions.attemptId, type: instructions.type, message: instructions.message, issuedAt: instructions.issuedAt })
      .from(instructions)
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), isNull(instructions.ackedAt)))
      .orderBy(asc(instructions.issuedAt), binary(instructions.id));
  }

  async markDelivered(attemptId: string, ids: string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.x.db
      .update(instructions)
      .set({ deliveredAt: now })
      .where(and(eq(instructions.attemptId, attemptId), inArray(instructions.id, ids), isNull(instructions.deliveredAt)));
  }

  async ack(attemptId: string, deviceGeneration: number, ids: string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.x.db
      .update(instructions)
      .set({ ackedAt: now })
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), inArray(instructions.id, ids), isNull(instructions.ackedAt)));
    return res.rowCount ?? 0;
  }

  list(attemptId: string): Promise<InstructionStatusRecord[]> {
    return this.x.db
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
      .orderBy(asc(instructions.issuedAt), binary(instructions.id));
  }

  async attemptsWithPending(): Promise<string[]> {
    const rows = await this.x.db.selectDistinct({ attemptId: instructions.attemptId }).from(instructions).where(isNull(instructions.ackedAt));
    return rows.map((r) => r.attemptId);
  }
}
