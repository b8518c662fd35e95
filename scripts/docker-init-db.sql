-- Roles and database for docker-compose (scripts/services does the same on a plain machine).
CREATE ROLE cmeledger_owner LOGIN PASSWORD 'cmeledger_owner' CREATEDB NOSUPERUSER;
CREATE ROLE cmeledger_app LOGIN PASSWORD 'cmeledger_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE DATABASE cmeledger OWNER cmeledger_owner;
