-- Issue H (admin side): short exam codes, centre time zone and locale, accommodations per
-- registration, and manual marks sealed as append-only addenda to an attempt's archive.
ALTER TABLE "exams" ADD COLUMN "code" text;--> statement-breakpoint
UPDATE "exams" SET "code" = substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', floor(random() * 31)::int + 1, 1) WHERE "code" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "exams_code" ON "exams" USING btree ("code");--> statement-breakpoint
ALTER TABLE "centers" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "centers" ADD COLUMN "locale" text DEFAULT 'en-GB' NOT NULL;--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "extra_time_minutes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "rest_break_minutes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE "marks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "marks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"attempt_id" text NOT NULL,
	"question_id" text NOT NULL,
	"points" double precision NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"marked_by" text NOT NULL,
	"marked_at" bigint NOT NULL,
	"chain_head" text NOT NULL,
	"prev_mac" text,
	"mac" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "marks_attempt" ON "marks" USING btree ("attempt_id","id");--> statement-breakpoint
CREATE TRIGGER marks_no_update BEFORE UPDATE ON marks FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER marks_no_delete BEFORE DELETE ON marks FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER marks_no_truncate BEFORE TRUNCATE ON marks FOR EACH STATEMENT EXECUTE FUNCTION sealed_append_only();
