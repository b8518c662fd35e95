-- Roles and database for docker-compose (scripts/services does the same on a plain machine).
CREATE ROLE cmeledger_owner LOGIN PASSWORD 'cmeledger_owner' CREATEDB NOSUPERUSER;
CREATE ROLE cmeledger_app LOGIN PASSWORD 'cmeledger_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE cmeledger_backup LOGIN PASSWORD 'cmeledger_backup' NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS IN ROLE cmeledger_owner;
CREATE DATABASE cmeledger OWNER cmeledger_owner;
