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
-- Counting devices of one status and platform reads devices_live_status_platform alone (migration 011).

-- The list's search finds a piece of a name, serial number, UDID, hardware id or model through trigrams instead of
-- reading every device: the index over the devices table's own columns, kept current by triggers (deleted devices
-- stay in it; the list leaves them out). Searches shorter than three characters still read every device.
CREATE VIRTUAL TABLE devices_search USING fts5(
  device_name, serial_number, udid, hardware_id, model_name,
  content='devices', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER devices_search_insert AFTER INSERT ON devices BEGIN
  INSERT INTO devices_search (rowid, device_name, serial_number, udid, hardware_id, model_name)
    VALUES (new.rowid, new.device_name, new.serial_number, new.udid, new.hardware_id, new.model_name);
END;
CREATE TRIGGER devices_search_delete AFTER DELETE ON devices BEGIN
  INSERT INTO devices_search (devices_search, rowid, device_name, serial_number, udid, hardware_id, model_name)
    VALUES ('delete', old.rowid, old.device_name, old.serial_number, old.udid, old.hardware_id, old.model_name);
END;
CREATE TRIGGER devices_search_update AFTER UPDATE OF device_name, serial_number, udid, hardware_id, model_name
  ON devices BEGIN
  INSERT INTO devices_search (devices_search, rowid, device_name, serial_number, udid, hardware_id, model_name)
    VALUES ('delete', old.rowid, old.device_name, old.serial_number, old.udid, old.hardware_id, old.model_name);
  INSERT INTO devices_search (rowid, device_name, serial_number, udid, hardware_id, model_name)
    VALUES (new.rowid, new.device_name, new.serial_number, new.udid, new.hardware_id, new.model_name);
END;
INSERT INTO devices_search (devices_search) VALUES ('rebuild');
