DROP INDEX IF EXISTS "exam_sessions_status";--> statement-breakpoint
CREATE INDEX "exam_sessions_status_attempt" ON "exam_sessions" USING btree ("status","attempt_id");
