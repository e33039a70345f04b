ALTER TABLE `auth_sessions` ADD `pinned_attempt_id` text;--> statement-breakpoint
CREATE INDEX `auth_sessions_pinned` ON `auth_sessions` (`pinned_attempt_id`);