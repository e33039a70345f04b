-- Issue H (the hall): ID checks per registration, incident notes and check waivers (both append-only),
-- and a batch id on instructions so a whole-room action can count its deliveries.
CREATE TABLE `id_checks` (
	`exam_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`checked_at` integer NOT NULL,
	`checked_by` text NOT NULL,
	PRIMARY KEY(`exam_id`, `candidate_id`)
);
--> statement-breakpoint
CREATE TABLE `incident_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`author_id` text NOT NULL,
	`author_name` text NOT NULL,
	`exam_id` text,
	`center_id` text,
	`room_id` text,
	`candidate_id` text,
	`attempt_id` text,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incident_notes_room` ON `incident_notes` (`center_id`,`room_id`,`at`);--> statement-breakpoint
CREATE INDEX `incident_notes_attempt` ON `incident_notes` (`attempt_id`);--> statement-breakpoint
CREATE TRIGGER `incident_notes_no_update` BEFORE UPDATE ON `incident_notes`
BEGIN SELECT RAISE(ABORT, 'incident_notes is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `incident_notes_no_delete` BEFORE DELETE ON `incident_notes`
BEGIN SELECT RAISE(ABORT, 'incident_notes is append-only'); END;
--> statement-breakpoint
CREATE TABLE `check_waivers` (
	`id` text PRIMARY KEY NOT NULL,
	`exam_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`at` integer NOT NULL,
	`granted_by` text NOT NULL,
	`granted_by_name` text NOT NULL,
	`reason` text NOT NULL,
	`checks` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `check_waivers_candidate` ON `check_waivers` (`exam_id`,`candidate_id`,`at`);--> statement-breakpoint
CREATE TRIGGER `check_waivers_no_update` BEFORE UPDATE ON `check_waivers`
BEGIN SELECT RAISE(ABORT, 'check_waivers is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `check_waivers_no_delete` BEFORE DELETE ON `check_waivers`
BEGIN SELECT RAISE(ABORT, 'check_waivers is append-only'); END;
--> statement-breakpoint
ALTER TABLE `instructions` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `instructions_batch` ON `instructions` (`batch_id`);
