-- How a portal session was opened: with the password, the one-time PIN, or a QR code shown on another device. A
-- session opened from a QR code cannot change the password; one opened with the PIN may set the first password
-- without the current one. Sessions from before this migration count as opened with the password.
ALTER TABLE portal_sessions ADD COLUMN opened_with TEXT NOT NULL DEFAULT 'password'
  CHECK (opened_with IN ('password', 'pin', 'qr'));
