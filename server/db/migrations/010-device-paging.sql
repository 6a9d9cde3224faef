-- Devices at scale: the console pages through devices by key (keyset paging), so each sort the list offers has an
-- index over the live devices holding its key and the id that breaks ties; the status filter, which may be very
-- selective (a few Reset devices among thousands), has its own. Expressions match devices.store.ts verbatim, since
-- SQLite uses an index on an expression only for that exact expression.
CREATE INDEX devices_live_seen ON devices(coalesce(last_seen_at, created_at), id) WHERE deleted_at IS NULL;
CREATE INDEX devices_live_name ON devices(lower(coalesce(device_name, serial_number, udid, hardware_id, '')), id)
  WHERE deleted_at IS NULL;
CREATE INDEX devices_live_enrolled ON devices(coalesce(enrolled_at, ''), id) WHERE deleted_at IS NULL;
CREATE INDEX devices_live_status_seen ON devices(status, coalesce(last_seen_at, created_at), id)
  WHERE deleted_at IS NULL;
CREATE INDEX devices_live_platform_seen ON devices(platform, coalesce(last_seen_at, created_at), id)
  WHERE deleted_at IS NULL;
CREATE INDEX devices_live_user_seen ON devices(user_id, coalesce(last_seen_at, created_at), id)
  WHERE deleted_at IS NULL;
-- A device's enrollments (the detail, the lifecycle's look-ups) were found by scanning every enrollment.
CREATE INDEX enrollments_device ON enrollments(device_id);
