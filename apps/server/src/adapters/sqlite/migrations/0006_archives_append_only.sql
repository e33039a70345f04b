-- Sealed archives and their keyed seals are append-only: the database refuses to change or remove a row.
CREATE TRIGGER `archives_no_update` BEFORE UPDATE ON `archives`
BEGIN SELECT RAISE(ABORT, 'archives is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `archives_no_delete` BEFORE DELETE ON `archives`
BEGIN SELECT RAISE(ABORT, 'archives is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `archive_seals_no_update` BEFORE UPDATE ON `archive_seals`
BEGIN SELECT RAISE(ABORT, 'archive_seals is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `archive_seals_no_delete` BEFORE DELETE ON `archive_seals`
BEGIN SELECT RAISE(ABORT, 'archive_seals is append-only'); END;
