import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/**
 * The read models the projector maintains and the gateway reads. The
 * projector is their only writer; everything in them is derived from events
 * (times come from event metadata, never from the clock), so a rebuild from
 * position 0 reproduces them byte for byte — except `rm_changes`, the feed
 * that tells gateways which rows to reload, and its retention horizon.
 */
class ReadModelsInitial extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE rm_users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        email_key text NOT NULL UNIQUE,
        name text NOT NULL,
        platform_admin boolean NOT NULL,
        created_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE rm_api_keys (
        id text PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        secret_sha256 text NOT NULL,
        expires_at timestamptz,
        -- { path, level, resourceId, maxRole } as issued, or null
        scope jsonb,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    this.addSql('CREATE INDEX rm_api_keys_user ON rm_api_keys (user_id)');
    this.addSql(`
      CREATE TABLE rm_organizations (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        name_key text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    this.addSql('CREATE INDEX rm_organizations_name ON rm_organizations (name_key, id)');
    this.addSql(`
      CREATE TABLE rm_projects (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL,
        name_key text NOT NULL,
        description text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    this.addSql('CREATE INDEX rm_projects_org ON rm_projects (organization_id, name_key, id)');
    this.addSql(`
      CREATE TABLE rm_sites (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        project_id uuid NOT NULL,
        name text NOT NULL,
        environment text NOT NULL,
        auto_deploy boolean NOT NULL,
        compose_revision integer NOT NULL,
        compose_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    this.addSql('CREATE INDEX rm_sites_project ON rm_sites (project_id, name, id)');
    this.addSql(`
      CREATE TABLE rm_site_compose (
        site_id uuid NOT NULL,
        revision integer NOT NULL,
        hash text NOT NULL,
        document text NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        PRIMARY KEY (site_id, revision)
      )`);
    // Direct grants only; inheritance is computed by libs/auth at read time.
    this.addSql(`
      CREATE TABLE rm_grants (
        resource_level text NOT NULL,
        resource_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL,
        organization_id uuid NOT NULL,
        project_id uuid,
        site_id uuid,
        granted_at timestamptz NOT NULL,
        PRIMARY KEY (resource_id, user_id)
      )`);
    this.addSql('CREATE INDEX rm_grants_user ON rm_grants (user_id)');
    this.addSql('CREATE INDEX rm_grants_org ON rm_grants (organization_id)');
    // Written in the same transaction as the rows it names; gateways poll it
    // (woken by NATS) to reload exactly those rows. kind 'reset' = reload all.
    this.addSql(`
      CREATE TABLE rm_changes (
        seq bigserial PRIMARY KEY,
        kind text NOT NULL,
        id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  override down(): void {
    for (const table of ['rm_changes', 'rm_grants', 'rm_site_compose', 'rm_sites', 'rm_projects', 'rm_organizations', 'rm_api_keys', 'rm_users']) {
      this.addSql(`DROP TABLE ${table}`);
    }
  }
}

/**
 * Retention of the change feed. The projector deletes old `rm_changes` rows
 * and records here the highest seq it deleted, in the same transaction: a
 * gateway whose last seen seq is below it may have missed rows that no
 * longer exist, so it reloads everything (an ordinary gap in the bigserial,
 * a rolled-back seq, never raises this number). One row, never absent.
 */
class ReadModelChangesHorizon extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE rm_changes_horizon (
        single boolean PRIMARY KEY DEFAULT true CHECK (single),
        pruned_through bigint NOT NULL
      )`);
    this.addSql('INSERT INTO rm_changes_horizon (pruned_through) VALUES (0)');
  }

  override down(): void {
    this.addSql('DROP TABLE rm_changes_horizon');
  }
}

export const readModelMigrations: MigrationObject[] = [
  { name: '0100-read-models', class: ReadModelsInitial },
  { name: '0101-read-model-changes-horizon', class: ReadModelChangesHorizon },
];
