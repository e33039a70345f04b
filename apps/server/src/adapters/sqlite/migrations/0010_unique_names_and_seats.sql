CREATE UNIQUE INDEX `centers_name_lower` ON `centers` (lower(name));--> statement-breakpoint
CREATE UNIQUE INDEX `registrations_one_per_seat` ON `registrations` (`exam_id`,(CASE WHEN center_id IS NULL THEN '' ELSE center_id END),(CASE WHEN room_id IS NULL THEN '' ELSE room_id END),`seat`) WHERE seat IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `rooms_center_name_lower` ON `rooms` (`center_id`,lower(name));--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_username_lower` ON `staff_users` (lower(username));