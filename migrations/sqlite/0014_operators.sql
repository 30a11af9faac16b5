-- Operators: an admin sees every account on /admin and may disable one. A disabled account
-- (`disabled_at` set) cannot log in, its sessions and API tokens stop working, and the menus
-- of kitchens it alone owns stop answering. `last_login_at` is when it last logged in (a
-- password, a one-time code or a passkey), shown to admins.
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN last_login_at INTEGER;
