-- PostgreSQL set-up for Velocity Jobs: one login role with the least it needs, one database,
-- one schema the role owns. Run once as a superuser; running it again is harmless (it also
-- resets the password):
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v velocity_password='...' -f ops/config/postgresql/setup.sql
--
-- The services create their own tables (migrations run at start: jobs, API keys, batches, the
-- mode-switch audit trail) inside the `velocity` schema, which the role owns. It can create
-- nothing anywhere else: no other schema, no database, no role. The role's search_path is that
-- schema, so `velocity agent`, `velocity doctor` and `velocity keys`, which take no schema
-- option, find the same tables as the gateway.

\set ON_ERROR_STOP on

\if :{?velocity_password}
\else
    \echo 'pass the password: psql -v velocity_password=... -f setup.sql'
    \quit
\endif

-- The role: a plain login, nothing more.
SELECT 'CREATE ROLE velocity LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'velocity') \gexec
ALTER ROLE velocity WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 150 PASSWORD :'velocity_password';

-- The database, owned by the administrator (not by the service role).
SELECT 'CREATE DATABASE velocity ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'velocity') \gexec

REVOKE ALL ON DATABASE velocity FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE velocity TO velocity;

\connect velocity

-- Nobody creates objects in `public` (PostgreSQL 15+ already has it so; older ones do not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- The service's schema: the role owns it, so it can create and alter its own tables there.
CREATE SCHEMA IF NOT EXISTS velocity AUTHORIZATION velocity;
ALTER SCHEMA velocity OWNER TO velocity;
ALTER ROLE velocity IN DATABASE velocity SET search_path = velocity;

-- A session stuck inside a transaction holds locks the broker's record sync waits on.
ALTER ROLE velocity IN DATABASE velocity SET idle_in_transaction_session_timeout = '5min';
ALTER ROLE velocity IN DATABASE velocity SET lock_timeout = '30s';

-- The system of record commits durably: the default of every session of the role.
ALTER ROLE velocity IN DATABASE velocity SET synchronous_commit = 'on';
