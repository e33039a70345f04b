-- Issue H (admin side): short exam codes, centre time zone and locale, accommodations per
-- registration, and manual marks sealed as append-only addenda to an attempt's archive.
ALTER TABLE `exams` ADD `code` text;--> statement-breakpoint
UPDATE `exams` SET `code` = substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) || substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (abs(random()) % 31) + 1, 1) WHERE `code` IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `exams_code` ON `exams` (`code`);--> statement-breakpoint
ALTER TABLE `centers` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `centers` ADD `locale` text DEFAULT 'en-GB' NOT NULL;--> statement-breakpoint
ALTER TABLE `registrations` ADD `extra_time_minutes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `registrations` ADD `rest_break_minutes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE `marks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`attempt_id` text NOT NULL,
	`question_id` text NOT NULL,
	`points` real NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`marked_by` text NOT NULL,
	`marked_at` integer NOT NULL,
	`chain_head` text NOT NULL,
	`prev_mac` text,
	`mac` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `marks_attempt` ON `marks` (`attempt_id`,`id`);--> statement-breakpoint
CREATE TRIGGER `marks_no_update` BEFORE UPDATE ON `marks`
BEGIN SELECT RAISE(ABORT, 'marks is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `marks_no_delete` BEFORE DELETE ON `marks`
BEGIN SELECT RAISE(ABORT, 'marks is append-only'); END;
