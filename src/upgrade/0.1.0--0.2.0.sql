-- relintel 0.1.0 -> 0.2.0, first part: what 0.1.0 computed on the fly goes.
-- This script is generated: this part, then src/sql/24_settings.sql (new
-- data), then every code section of src/sql/ as a fresh 0.2.0 install runs
-- them, then src/upgrade/0.1.0--0.2.0-finish.sql.  See src/upgrade/README.md.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION relintel UPDATE TO '0.2.0'" to load this file. \quit

-- The customer's tables stay as they are: colleague, internal_domain,
-- account, contact, lead, opportunity, opportunity_contact, interaction and
-- their sequences, and alert (first_seen history), which gains its id.  The
-- core section (types, C functions, aggregates) is the same in both
-- versions.  Everything else of 0.1.0 is dropped here, by name, without
-- CASCADE (an object of the user's that depends on one of these makes the
-- update fail rather than disappear), and made again by the code sections.

-- Triggers on the customer's tables.
DROP TRIGGER maintain_changed ON relintel.colleague;
DROP TRIGGER maintain_changing ON relintel.colleague;
DROP TRIGGER normalize ON relintel.colleague;
DROP TRIGGER maintain_changed ON relintel.internal_domain;
DROP TRIGGER maintain_changing ON relintel.internal_domain;
DROP TRIGGER normalize ON relintel.internal_domain;
DROP TRIGGER maintain_changed ON relintel.account;
DROP TRIGGER maintain_changing ON relintel.account;
DROP TRIGGER normalize ON relintel.account;
DROP TRIGGER maintain_changed ON relintel.contact;
DROP TRIGGER maintain_changing ON relintel.contact;
DROP TRIGGER normalize ON relintel.contact;
DROP TRIGGER maintain_changed ON relintel.lead;
DROP TRIGGER maintain_changing ON relintel.lead;
DROP TRIGGER normalize ON relintel.lead;
DROP TRIGGER maintain_changed ON relintel.opportunity;
DROP TRIGGER maintain_changing ON relintel.opportunity;
DROP TRIGGER maintain_changed ON relintel.opportunity_contact;
DROP TRIGGER maintain_changing ON relintel.opportunity_contact;
DROP TRIGGER check_row ON relintel.interaction;
DROP TRIGGER maintain_changing ON relintel.interaction;
DROP TRIGGER maintain_delete ON relintel.interaction;
DROP TRIGGER maintain_insert ON relintel.interaction;
DROP TRIGGER maintain_starting ON relintel.interaction;
DROP TRIGGER maintain_truncate ON relintel.interaction;
DROP TRIGGER maintain_update ON relintel.interaction;

-- The expression index of 30_membership.sql (made again there).
DROP INDEX relintel.interaction_domains_idx;

-- verify() reads two of the views; the views call functions.
DROP FUNCTION relintel.verify();

-- Views (one statement: they depend on each other).
DROP VIEW relintel.account_health, relintel.all_entity_interaction, relintel.contact_health,
          relintel.entity_interaction, relintel.interaction_class, relintel.interaction_fact,
          relintel.interaction_participant, relintel.interaction_reply, relintel.lead_health,
          relintel.live_entity_state, relintel.opportunity_health, relintel.settled_entity_interaction,
          relintel.settled_tie_interaction, relintel.tie_interaction;

-- Functions outside the core section.
DROP FUNCTION
    relintel.activity_history(relintel.entity_type, bigint, timestamptz, timestamptz, interval),
    relintel.alert_days(double precision),
    relintel.alerts(timestamptz),
    relintel.apply_changes(bigint[], bigint[], bigint[]),
    relintel.catch_up(),
    relintel.check_interaction(),
    relintel.directory_changed(),
    relintel.directory_changing(),
    relintel.entity_candidates(relintel.entity_type, bigint),
    relintel.health_at(relintel.entity_type, bigint, timestamptz),
    relintel.health_report(relintel.health_state, timestamptz),
    relintel.interaction_changed(),
    relintel.interaction_changes_starting(),
    relintel.interaction_changing(),
    relintel.interaction_inserted(),
    relintel.interaction_truncated(),
    relintel.interactions_of(text[], text[], relintel.entity_type, bigint[]),
    relintel.intro_request(text, text, text, timestamptz),
    relintel.kpis(relintel.entity_type, bigint, interval, timestamptz),
    relintel.lock_reply_buckets(text[]),
    relintel.median_gap(timestamptz[]),
    relintel.normalize_domain(text),
    relintel.normalize_domain_column(),
    relintel.normalize_email_column(),
    relintel.participant_domains(text, text[]),
    relintel.percent_encode(text, text),
    relintel.rebuild(),
    relintel.record_stale(bigint[]),
    relintel.refresh_alerts(),
    relintel.who_knows(text, integer, timestamptz);

-- Maintained tables: derived from the customer's tables, refilled at the end;
-- except which interactions catch_up() has not folded in yet (written before
-- their time), kept aside and put back.
CREATE TEMP TABLE pending_kept AS SELECT interaction_id, occurred_at FROM relintel.pending_interaction;
DROP TABLE relintel.entity_health, relintel.tie, relintel.pending_interaction, relintel.stale;

-- alert: notifications carry only this id (70_alerts.sql).
ALTER TABLE relintel.alert ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE;
