/** A manual mark of one question of an attempt, as stored (append-only; the latest per question counts). */
export interface MarkRecord {
  id: number;
  attemptId: string;
  questionId: string;
  points: number;
  comment: string;
  markedBy: string;
  markedAt: number;
  /** The archive's chain head when the mark was given (the addendum is bound to that archive). */
  chainHead: string;
  /** The MAC of the attempt's previous mark (null for the first): the marks form their own chain. */
  prevMac: string | null;
  /** HMAC-SHA256 (hex) under a key derived from the server secret, over the mark and the two above. */
  mac: string;
}

export type NewMark = Omit<MarkRecord, 'id'>;

export interface MarksRepo {
  /** Every mark of the attempt, oldest first. */
  list(attemptId: string): Promise<MarkRecord[]>;
  /** Every mark of the attempts of an exam, oldest first (for results). */
  listForExam(examId: string): Promise<MarkRecord[]>;
  append(m: NewMark): Promise<MarkRecord>;
}
