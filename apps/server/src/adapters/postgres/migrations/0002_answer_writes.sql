-- One batch of answer writes in one statement (one round trip, one commit: the group commit of
-- AnswerRepo.saveBatch). Each write is guarded exactly like SQLite's (adapters/sqlite/repositories/
-- answers.ts): it applies only while its session is active, unlocked and has exam time left at the
-- write's `at`, and only over a lower clientSeq; otherwise it is 'stale' (a newer one is stored) or
-- 'refused' (the session does not take answers), in that order of checks, write by write.
--
-- The sessions of the batch are locked first, in attempt id order (FOR NO KEY UPDATE): a submit,
-- lock or pause (SELECT ... FOR UPDATE) waits for the batch or the batch waits for it and then
-- sees its outcome, two batches of one attempt take turns, and lock order rules out deadlocks with
-- another batch or a presence flush. Each statement below reads a fresh snapshot (the function is
-- VOLATILE), so every check sees what was committed before the lock was granted.
CREATE FUNCTION invigil_save_answers(p_attempt text[], p_question text[], p_value text[], p_seq bigint[], p_at bigint[])
RETURNS TABLE (ord integer, outcome text, stored_at bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  i integer;
BEGIN
  PERFORM 1 FROM exam_sessions s WHERE s.attempt_id = ANY (p_attempt) ORDER BY s.attempt_id FOR NO KEY UPDATE;
  FOR i IN 1 .. coalesce(array_length(p_attempt, 1), 0) LOOP
    ord := i;
    INSERT INTO answers AS a (attempt_id, question_id, value, client_seq, saved_at)
      SELECT p_attempt[i], p_question[i], p_value[i], p_seq[i], p_at[i]
      WHERE EXISTS (
        SELECT 1 FROM exam_sessions s
        WHERE s.attempt_id = p_attempt[i] AND s.status = 'active' AND NOT s.is_locked
          AND s.running_since IS NOT NULL AND s.used_ms + (p_at[i] - s.running_since) < s.allowed_ms)
    ON CONFLICT (attempt_id, question_id) DO UPDATE
      SET value = excluded.value, client_seq = excluded.client_seq, saved_at = excluded.saved_at
      WHERE excluded.client_seq > a.client_seq;
    IF FOUND THEN
      outcome := 'applied';
      stored_at := p_at[i];
    ELSIF NOT EXISTS (
        SELECT 1 FROM exam_sessions s
        WHERE s.attempt_id = p_attempt[i] AND s.status = 'active' AND NOT s.is_locked
          AND s.running_since IS NOT NULL AND s.used_ms + (p_at[i] - s.running_since) < s.allowed_ms) THEN
      outcome := 'refused';
      stored_at := NULL;
    ELSE
      outcome := 'stale';
      SELECT a.saved_at INTO stored_at FROM answers a WHERE a.attempt_id = p_attempt[i] AND a.question_id = p_question[i];
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
