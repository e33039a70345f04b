-- Archives and their seals are append-only, like the audit trail (SQLite: migrations 0005/0006):
-- the database refuses to change or remove a sealed archive or its seal, TRUNCATE included.
CREATE FUNCTION sealed_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
--> statement-breakpoint
CREATE TRIGGER archives_no_update BEFORE UPDATE ON archives FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER archives_no_delete BEFORE DELETE ON archives FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER archives_no_truncate BEFORE TRUNCATE ON archives FOR EACH STATEMENT EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER archive_seals_no_update BEFORE UPDATE ON archive_seals FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER archive_seals_no_delete BEFORE DELETE ON archive_seals FOR EACH ROW EXECUTE FUNCTION sealed_append_only();
--> statement-breakpoint
CREATE TRIGGER archive_seals_no_truncate BEFORE TRUNCATE ON archive_seals FOR EACH STATEMENT EXECUTE FUNCTION sealed_append_only();
