CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"attempt_id" text,
	"candidate_id" text,
	"exam_id" text,
	"center_id" text,
	"room_id" text,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"detail" text,
	"acknowledged_at" bigint,
	"acknowledged_by" text
);
--> statement-breakpoint
CREATE TABLE "answers" (
	"attempt_id" text NOT NULL,
	"question_id" text NOT NULL,
	"value" text NOT NULL,
	"client_seq" bigint NOT NULL,
	"saved_at" bigint NOT NULL,
	CONSTRAINT "answers_pkey" PRIMARY KEY("attempt_id","question_id")
);
--> statement-breakpoint
CREATE TABLE "archives" (
	"attempt_id" text PRIMARY KEY NOT NULL,
	"sealed_at" bigint NOT NULL,
	"content" text NOT NULL,
	"chain_head" text NOT NULL,
	"score" double precision,
	"max_score" double precision
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" bigint NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"attempt_id" text,
	"reason" text,
	"detail" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "auth_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"subject_type" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"exam_id" text,
	"candidate_id" text,
	"user_agent" text DEFAULT '' NOT NULL,
	"device_type" text DEFAULT 'unknown' NOT NULL,
	"device_name" text DEFAULT '' NOT NULL,
	"browser" text DEFAULT '' NOT NULL,
	"os" text DEFAULT '' NOT NULL,
	"ip_address" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"last_activity" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"idle_timeout_ms" bigint NOT NULL,
	"revoked_at" bigint,
	"revoke_reason" text,
	CONSTRAINT "auth_sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "candidates" (
	"candidate_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "centers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "centers_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "exam_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"attempt_id" text NOT NULL,
	"candidate_id" text NOT NULL,
	"exam_id" text NOT NULL,
	"status" text NOT NULL,
	"is_locked" boolean DEFAULT false NOT NULL,
	"lock_reason" text,
	"allowed_ms" bigint NOT NULL,
	"used_ms" bigint DEFAULT 0 NOT NULL,
	"running_since" bigint,
	"paused_at" bigint,
	"pause_kind" text,
	"recovery_attempts" bigint DEFAULT 0 NOT NULL,
	"recovery_token_hash" text NOT NULL,
	"ended_at" bigint,
	"end_reason" text,
	"started_at" bigint NOT NULL,
	"last_activity_at" bigint NOT NULL,
	"device_public_key" text,
	"device_fingerprint" text,
	"browser_info" text DEFAULT '' NOT NULL,
	"ip_address" text DEFAULT '' NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"heartbeat_count" bigint DEFAULT 0 NOT NULL,
	"center_id" text,
	"room_id" text,
	"seat" text,
	"incident_ms" bigint DEFAULT 0 NOT NULL,
	"resume_code_hash" text,
	"resume_code_expires_at" bigint,
	"resume_code_failures" bigint DEFAULT 0 NOT NULL,
	"prev_recovery_token_hash" text,
	"recovery_rotated_at" bigint,
	"device_generation" bigint DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "exam_sessions_attempt_id_unique" UNIQUE("attempt_id")
);
--> statement-breakpoint
CREATE TABLE "exams" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"duration_minutes" bigint NOT NULL,
	"questions" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opens_at" bigint,
	"closes_at" bigint,
	"policy" text DEFAULT '{}' NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" bigint
);
--> statement-breakpoint
CREATE TABLE "instructions" (
	"id" text PRIMARY KEY NOT NULL,
	"attempt_id" text NOT NULL,
	"type" text NOT NULL,
	"message" text,
	"reason" text,
	"issued_at" bigint NOT NULL,
	"issued_by" text NOT NULL,
	"delivered_at" bigint,
	"acked_at" bigint,
	"device_generation" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"id" text PRIMARY KEY NOT NULL,
	"exam_id" text NOT NULL,
	"candidate_id" text NOT NULL,
	"access_code_hash" text NOT NULL,
	"center_id" text,
	"room_id" text,
	"seat" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"id" text PRIMARY KEY NOT NULL,
	"center_id" text NOT NULL,
	"name" text NOT NULL,
	"capacity" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "staff_assignments" (
	"id" text PRIMARY KEY NOT NULL,
	"staff_id" text NOT NULL,
	"center_id" text NOT NULL,
	"room_id" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"created_at" bigint NOT NULL,
	"password_changed_at" bigint NOT NULL,
	"disabled_at" bigint,
	CONSTRAINT "staff_users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_attempt_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."exam_sessions"("attempt_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_sessions" ADD CONSTRAINT "exam_sessions_exam_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_exam_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_candidate_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("candidate_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_center_fk" FOREIGN KEY ("center_id") REFERENCES "public"."centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_assignments" ADD CONSTRAINT "staff_assignments_staff_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_assignments" ADD CONSTRAINT "staff_assignments_center_fk" FOREIGN KEY ("center_id") REFERENCES "public"."centers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_assignments" ADD CONSTRAINT "staff_assignments_room_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_attempt" ON "alerts" USING btree ("attempt_id","at");--> statement-breakpoint
CREATE INDEX "alerts_center" ON "alerts" USING btree ("center_id","at");--> statement-breakpoint
CREATE INDEX "alerts_open" ON "alerts" USING btree ("attempt_id") WHERE acknowledged_at IS NULL;--> statement-breakpoint
CREATE INDEX "audit_events_attempt" ON "audit_events" USING btree ("attempt_id","id");--> statement-breakpoint
CREATE INDEX "auth_sessions_user" ON "auth_sessions" USING btree ("user_id","revoked_at");--> statement-breakpoint
CREATE UNIQUE INDEX "centers_name_lower" ON "centers" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "exam_sessions_one_active_per_candidate" ON "exam_sessions" USING btree ("candidate_id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "exam_sessions_one_attempt_per_exam" ON "exam_sessions" USING btree ("candidate_id","exam_id");--> statement-breakpoint
CREATE INDEX "exam_sessions_status" ON "exam_sessions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "exam_sessions_room" ON "exam_sessions" USING btree ("center_id","room_id");--> statement-breakpoint
CREATE INDEX "exam_sessions_exam" ON "exam_sessions" USING btree ("exam_id");--> statement-breakpoint
CREATE INDEX "exam_sessions_started" ON "exam_sessions" USING btree ("started_at","attempt_id");--> statement-breakpoint
CREATE INDEX "instructions_pending" ON "instructions" USING btree ("attempt_id","acked_at");--> statement-breakpoint
CREATE INDEX "instructions_unacked" ON "instructions" USING btree ("attempt_id") WHERE acked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_exam_candidate" ON "registrations" USING btree ("exam_id","candidate_id");--> statement-breakpoint
CREATE INDEX "registrations_room" ON "registrations" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "registrations_center" ON "registrations" USING btree ("center_id");--> statement-breakpoint
CREATE INDEX "registrations_candidate" ON "registrations" USING btree ("candidate_id");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_one_per_seat" ON "registrations" USING btree ("exam_id",coalesce(center_id, ''),coalesce(room_id, ''),"seat") WHERE seat IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "rooms_center_name" ON "rooms" USING btree ("center_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "rooms_center_name_lower" ON "rooms" USING btree ("center_id",lower("name"));--> statement-breakpoint
CREATE INDEX "staff_assignments_staff" ON "staff_assignments" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "staff_assignments_center" ON "staff_assignments" USING btree ("center_id");--> statement-breakpoint
CREATE INDEX "staff_assignments_room" ON "staff_assignments" USING btree ("room_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_users_username_lower" ON "staff_users" USING btree (lower("username"));