-- An administrator whose password another admin set (a generated temporary one) must choose their own at the next
-- sign-in: until then their session reaches only the password change, the session and sign-out.
ALTER TABLE admins ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
