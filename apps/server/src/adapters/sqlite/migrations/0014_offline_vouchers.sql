-- Offline staff codes need no table (the kiosk remembers the nonces it used; the server audits each
-- code it issues). Offline bundles staff upload are recorded here, one row per distinct file.
CREATE TABLE `offline_bundles` (
	`id` text PRIMARY KEY NOT NULL,
	`attempt_id` text NOT NULL,
	`sha256` text NOT NULL,
	`device_public_key` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`received_at` integer NOT NULL,
	`exported_at` integer NOT NULL,
	`answers` integer NOT NULL,
	`applied` integer NOT NULL,
	`submitted` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `offline_bundles_attempt_sha` ON `offline_bundles` (`attempt_id`,`sha256`);
