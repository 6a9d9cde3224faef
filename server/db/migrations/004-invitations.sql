-- Invitations and the /go portal: the mail outbox, invitations with their one-time PINs, portal sessions,
-- single-use sign-in tokens (QR codes), and the link from an enrollment to its invitation.

CREATE TABLE mail_outbox (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'test')),
  ref_id          TEXT,
  to_address      TEXT NOT NULL,
  subject         TEXT NOT NULL,
  text_body       TEXT NOT NULL,
  html_body       TEXT NOT NULL,
  attachments     TEXT NOT NULL DEFAULT '[]',
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  message_id      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
CREATE INDEX mail_outbox_ref ON mail_outbox(ref_id);

CREATE TABLE invitations (
  id                    TEXT PRIMARY KEY,
  user_id               TEXT NOT NULL REFERENCES users(id),
  status                TEXT NOT NULL CHECK (status IN ('created', 'sent', 'opened', 'pin_verified', 'profile_downloaded', 'enrolled', 'expired', 'revoked')),
  token_hash            TEXT NOT NULL UNIQUE,
  -- The link token itself, sealed, so reminders can repeat the same link.
  token_sealed          TEXT NOT NULL,
  url_version           INTEGER NOT NULL,
  pin_hash              TEXT,
  pin_expires_at        TEXT,
  pin_used_at           TEXT,
  pin_failures          INTEGER NOT NULL DEFAULT 0,
  expires_at            TEXT NOT NULL,
  sent_at               TEXT,
  opened_at             TEXT,
  pin_verified_at       TEXT,
  profile_downloaded_at TEXT,
  enrolled_at           TEXT,
  revoked_at            TEXT,
  reminders_sent        INTEGER NOT NULL DEFAULT 0,
  last_reminder_at      TEXT,
  created_by            TEXT NOT NULL,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX invitations_user ON invitations(user_id, created_at);
CREATE INDEX invitations_status ON invitations(status, created_at);

ALTER TABLE enrollments ADD COLUMN invitation_id TEXT REFERENCES invitations(id);

CREATE TABLE portal_sessions (
  token_hash     TEXT PRIMARY KEY,
  user_id        TEXT NOT NULL REFERENCES users(id),
  invitation_id  TEXT REFERENCES invitations(id),
  csrf_token     TEXT NOT NULL,
  needs_password INTEGER NOT NULL DEFAULT 0 CHECK (needs_password IN (0, 1)),
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL,
  source_address TEXT
) STRICT;
CREATE INDEX portal_sessions_user ON portal_sessions(user_id);

-- Single-use, short-lived sign-in tokens shown as QR codes (another device's camera, or the Android agent).
CREATE TABLE sign_in_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  purpose    TEXT NOT NULL CHECK (purpose IN ('portal', 'agent')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
) STRICT;
