-- relintel: relationship intelligence for a CRM database.
-- This script is generated from src/sql/*.sql; edit those sections, not the result.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION relintel" to load this file. \quit

