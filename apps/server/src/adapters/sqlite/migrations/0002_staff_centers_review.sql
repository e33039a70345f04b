CREATE TABLE `archives` (
	`attempt_id` text PRIMARY KEY NOT NULL,
	`sealed_at` integer NOT NULL,
	`content` text NOT NULL,
	`chain_head` text NOT NULL,
	`score` real,
	`max_score` real
);
--> statement-breakpoint
CREATE TABLE `centers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `centers_name_unique` ON `centers` (`name`);--> statement-breakpoint
CREATE TABLE `rooms` (
	`id` text PRIMARY KEY NOT NULL,
	`center_id` text NOT NULL,
	`name` text NOT NULL,
	`capacity` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rooms_center_name` ON `rooms` (`center_id`,`name`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `staff_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`center_id` text NOT NULL,
	`room_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `staff_assignments_staff` ON `staff_assignments` (`staff_id`);--> statement-breakpoint
ALTER TABLE `alerts` ADD `center_id` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `room_id` text;--> statement-breakpoint
CREATE INDEX `alerts_center` ON `alerts` (`center_id`,`at`);--> statement-breakpoint
ALTER TABLE `auth_sessions` ADD `device_type` text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE `auth_sessions` ADD `device_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `auth_sessions` ADD `browser` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `auth_sessions` ADD `os` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `center_id` text;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `room_id` text;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `seat` text;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `incident_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `resume_code_hash` text;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `resume_code_expires_at` integer;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `device_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `exam_sessions_room` ON `exam_sessions` (`center_id`,`room_id`);--> statement-breakpoint
ALTER TABLE `exams` ADD `status` text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE `exams` ADD `opens_at` integer;--> statement-breakpoint
ALTER TABLE `exams` ADD `closes_at` integer;--> statement-breakpoint
ALTER TABLE `exams` ADD `policy` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `exams` ADD `updated_at` integer;--> statement-breakpoint
ALTER TABLE `instructions` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `registrations` ADD `center_id` text;--> statement-breakpoint
ALTER TABLE `registrations` ADD `room_id` text;--> statement-breakpoint
ALTER TABLE `registrations` ADD `seat` text;--> statement-breakpoint
CREATE INDEX `registrations_room` ON `registrations` (`room_id`);--> statement-breakpoint
ALTER TABLE `staff_users` ADD `display_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `disabled_at` integer;