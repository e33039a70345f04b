ALTER TABLE `alerts` ADD `count` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `last_at` integer;--> statement-breakpoint
CREATE INDEX `alerts_at` ON `alerts` (`at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_open_per_kind` ON `alerts` (`attempt_id`,`kind`) WHERE acknowledged_at IS NULL AND attempt_id IS NOT NULL;