-- Offline bundles staff upload (as SQLite migration 0014), one row per distinct file per attempt.
CREATE TABLE "offline_bundles" (
	"id" text PRIMARY KEY NOT NULL,
	"attempt_id" text NOT NULL,
	"sha256" text NOT NULL,
	"device_public_key" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"received_at" bigint NOT NULL,
	"exported_at" bigint NOT NULL,
	"answers" bigint NOT NULL,
	"applied" bigint NOT NULL,
	"submitted" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "offline_bundles" ADD CONSTRAINT "offline_bundles_session_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."exam_sessions"("attempt_id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "offline_bundles_attempt_sha" ON "offline_bundles" USING btree ("attempt_id","sha256");
