CREATE TABLE "archive_seals" (
	"attempt_id" text PRIMARY KEY NOT NULL,
	"sealed_at" bigint NOT NULL,
	"statement" text NOT NULL,
	"mac" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "count" bigint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "last_at" bigint;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD COLUMN "pinned_attempt_id" text;--> statement-breakpoint
CREATE INDEX "alerts_at" ON "alerts" USING btree ("at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_per_kind" ON "alerts" USING btree ("attempt_id","kind") WHERE acknowledged_at IS NULL AND attempt_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "auth_sessions_pinned" ON "auth_sessions" USING btree ("pinned_attempt_id");