-- The audit trail at scale (200,000 events): the actor and subject filters find a piece of a name, email or id
-- ("Office Admin", "user00042@", a device id) through trigrams instead of reading the trail from its newest event
-- down (a rare actor or subject read all of it: 150-210 ms). The index is over the audit table's own columns, kept by
-- an insert trigger (the trail is append-only: no update or delete to follow). Its rowid is the event's seq, so the
-- newest-first keyset pages read it in rowid order. Pieces shorter than three characters still read the trail.
CREATE VIRTUAL TABLE audit_search USING fts5(
  actor_id, actor_label, subject_id, subject_label,
  content='audit_events', content_rowid='seq', tokenize='trigram'
);
CREATE TRIGGER audit_search_insert AFTER INSERT ON audit_events BEGIN
  INSERT INTO audit_search (rowid, actor_id, actor_label, subject_id, subject_label)
    VALUES (new.seq, new.actor_id, new.actor_label, new.subject_id, new.subject_label);
END;
INSERT INTO audit_search (audit_search) VALUES ('rebuild');
