ALTER TABLE `exam_sessions` ADD `resume_code_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `prev_recovery_token_hash` text;--> statement-breakpoint
ALTER TABLE `exam_sessions` ADD `recovery_rotated_at` integer;