-- A password an administrator generated (a new user's first one, or a reset) is known to
-- two people. Until its owner chooses their own, the session reaches nothing but the
-- password page and sign-out.
ALTER TABLE users ADD COLUMN password_change_required boolean NOT NULL DEFAULT false;
