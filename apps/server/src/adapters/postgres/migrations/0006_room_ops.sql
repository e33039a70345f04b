-- Issue H (the hall): ID checks per registration, incident notes and check waivers (both append-only),
-- and a batch id on instructions so a whole-room action can count its deliveries.
CREATE TABLE "id_checks" (
	"exam_id" text NOT NULL,
	"candidate_id" text NOT NULL,
	"checked_at" bigint NOT NULL,
	"checked_by" text NOT NULL,
	CONSTRAINT "id_checks_exam_id_candidate_id_pk" PRIMARY KEY("exam_id","candidate_id")
);
--> statement-breakpoint
CREATE TABLE "incident_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"exam_id" text,
	"center_id" text,
	"room_id" text,
	"candidate_id" text,
	"attempt_id" text,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "incident_notes_room" ON "incident_notes" USING btree ("center_id","room_id","at");--> statement-breakpoint
CREATE INDEX "incident_notes_attempt" ON "incident_notes" USING btree ("attempt_id");--> statement-breakpoint
CREATE TABLE "check_waivers" (
	"id" text PRIMARY KEY NOT NULL,
	"exam_id" text NOT NULL,
	"candidate_id" text NOT NULL,
	"at" bigint NOT NULL,
	"granted_by" text NOT NULL,
	"granted_by_name" text NOT NULL,
	"reason" text NOT NULL,
	"checks" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "check_waivers_candidate" ON "check_waivers" USING btree ("exam_id","candidate_id","at");--> statement-breakpoint
CREATE TRIGGER incident_notes_no_update BEFORE UPDATE ON incident_notes FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_notes_no_delete BEFORE DELETE ON incident_notes FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER incident_notes_no_truncate BEFORE TRUNCATE ON incident_notes FOR EACH STATEMENT EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER check_waivers_no_update BEFORE UPDATE ON check_waivers FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER check_waivers_no_delete BEFORE DELETE ON check_waivers FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER check_waivers_no_truncate BEFORE TRUNCATE ON check_waivers FOR EACH STATEMENT EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
ALTER TABLE "instructions" ADD COLUMN "batch_id" text;--> statement-breakpoint
CREATE INDEX "instructions_batch" ON "instructions" USING btree ("batch_id");
