-- The audit trail's trigram index (migration 014) is brought up to date in batches instead of by a trigger on every
-- insert. FTS5 writes a new index segment at the end of every transaction that added a row, and merges them later:
-- with the trigger, each enrollment step paid for a segment of its own (about 1.5 ms of CPU per enrolled Apple
-- device, `npm run bench:enroll`). The audit store now indexes everything past `audit_search_mark.seq` in one go
-- before a search reads the index, and the scheduler's tick does the same every 30 s, so a search never misses an
-- event and a batch stays small. The mark starts at the newest event: the trigger indexed everything up to here.
DROP TRIGGER audit_search_insert;
CREATE TABLE audit_search_mark (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
) STRICT;
INSERT INTO audit_search_mark (id, seq) VALUES (1, coalesce((SELECT max(seq) FROM audit_events), 0));
