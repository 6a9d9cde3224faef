-- The audit trail at scale (200,000 events): the actor and subject filters find a piece of a label (a name or
-- email: "Office Admin", "user00042@") through trigrams instead of reading the trail from its newest event down (a
-- rare actor or subject read all of it: 150-210 ms); a whole id is found by the actor and subject indexes of
-- migration 001 (ids are not in this index: an admin's id is on most events, and its trigrams would be too).
-- The index is over the audit table's own columns, kept by an insert trigger (the trail is append-only: no update or
-- delete to follow). Its rowid is the event's seq, so newest-first pages read it in rowid order. Pieces shorter than
-- three characters still read the trail.
CREATE VIRTUAL TABLE audit_search USING fts5(
  actor_label, subject_label,
  content='audit_events', content_rowid='seq', tokenize='trigram'
);
CREATE TRIGGER audit_search_insert AFTER INSERT ON audit_events BEGIN
  INSERT INTO audit_search (rowid, actor_label, subject_label) VALUES (new.seq, new.actor_label, new.subject_label);
END;
INSERT INTO audit_search (audit_search) VALUES ('rebuild');
