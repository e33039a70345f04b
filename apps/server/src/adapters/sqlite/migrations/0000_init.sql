CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`attempt_id` text,
	`candidate_id` text,
	`exam_id` text,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`detail` text,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE INDEX `alerts_attempt` ON `alerts` (`attempt_id`,`at`);--> statement-breakpoint
CREATE TABLE `answers` (
	`attempt_id` text NOT NULL,
	`question_id` text NOT NULL,
	`value` text NOT NULL,
	`client_seq` integer NOT NULL,
	`saved_at` integer NOT NULL,
	PRIMARY KEY(`attempt_id`, `question_id`)
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`attempt_id` text,
	`reason` text,
	`detail` text,
	`ip` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_attempt` ON `audit_events` (`attempt_id`,`id`);--> statement-breakpoint
CREATE TABLE `auth_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`subject_type` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`exam_id` text,
	`candidate_id` text,
	`user_agent` text DEFAULT '' NOT NULL,
	`ip_address` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_activity` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`idle_timeout_ms` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auth_sessions_token_hash_unique` ON `auth_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `auth_sessions_user` ON `auth_sessions` (`user_id`,`revoked_at`);--> statement-breakpoint
CREATE TABLE `candidates` (
	`candidate_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `exam_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`attempt_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`exam_id` text NOT NULL,
	`status` text NOT NULL,
	`is_locked` integer DEFAULT false NOT NULL,
	`lock_reason` text,
	`allowed_ms` integer NOT NULL,
	`used_ms` integer DEFAULT 0 NOT NULL,
	`running_since` integer,
	`paused_at` integer,
	`pause_kind` text,
	`recovery_attempts` integer DEFAULT 0 NOT NULL,
	`recovery_token_hash` text NOT NULL,
	`ended_at` integer,
	`end_reason` text,
	`started_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`device_public_key` text,
	`device_fingerprint` text,
	`browser_info` text DEFAULT '' NOT NULL,
	`ip_address` text DEFAULT '' NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`heartbeat_count` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exam_sessions_attempt_id_unique` ON `exam_sessions` (`attempt_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `exam_sessions_one_active_per_candidate` ON `exam_sessions` (`candidate_id`) WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX `exam_sessions_one_attempt_per_exam` ON `exam_sessions` (`candidate_id`,`exam_id`);--> statement-breakpoint
CREATE INDEX `exam_sessions_status` ON `exam_sessions` (`status`);--> statement-breakpoint
CREATE TABLE `exams` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`duration_minutes` integer NOT NULL,
	`questions` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `instructions` (
	`id` text PRIMARY KEY NOT NULL,
	`attempt_id` text NOT NULL,
	`type` text NOT NULL,
	`message` text,
	`issued_at` integer NOT NULL,
	`issued_by` text NOT NULL,
	`delivered_at` integer,
	`acked_at` integer
);
--> statement-breakpoint
CREATE INDEX `instructions_pending` ON `instructions` (`attempt_id`,`acked_at`);--> statement-breakpoint
CREATE TABLE `registrations` (
	`id` text PRIMARY KEY NOT NULL,
	`exam_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`access_code_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `registrations_exam_candidate` ON `registrations` (`exam_id`,`candidate_id`);--> statement-breakpoint
CREATE TABLE `staff_users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	`password_changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_username_unique` ON `staff_users` (`username`);