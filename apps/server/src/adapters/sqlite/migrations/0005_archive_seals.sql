CREATE TABLE `archive_seals` (
	`attempt_id` text PRIMARY KEY NOT NULL,
	`sealed_at` integer NOT NULL,
	`statement` text NOT NULL,
	`mac` text NOT NULL
);
