-- Before one open alert per (attempt, kind) is enforced: older open duplicates are closed as coalesced.
UPDATE `alerts` SET `acknowledged_at` = `at`, `acknowledged_by` = 'system:coalesced'
WHERE `acknowledged_at` IS NULL AND `attempt_id` IS NOT NULL AND `id` NOT IN (
  SELECT `id` FROM (
    SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `attempt_id`, `kind` ORDER BY `at` DESC, `id` DESC) AS `rn`
    FROM `alerts` WHERE `acknowledged_at` IS NULL AND `attempt_id` IS NOT NULL
  ) WHERE `rn` = 1
);
