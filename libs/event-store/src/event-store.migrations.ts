import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/** The channel the store notifies on after appends commit; readers LISTEN to wake without polling. */
export const EVENTS_CHANNEL = 'siteops_events';

class EventStoreInitial extends Migration {
  override up(): void {
    // Rule 1 of ARCHITECTURE.md. tx_id records the writing transaction so that
    // readers can stay below the oldest running transaction (rule 3).
    this.addSql(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    this.addSql('CREATE INDEX events_read_order ON events (tx_id, global_position)');
    this.addSql('CREATE INDEX events_recorded_at ON events (recorded_at)');
    // One notification per writing statement; Postgres folds duplicates within a transaction.
    this.addSql(`
      CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${EVENTS_CHANNEL}', '');
        RETURN NULL;
      END $$`);
    this.addSql(
      'CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_notify()',
    );
    this.addSql(`
      CREATE TABLE event_checkpoints (
        name text PRIMARY KEY,
        tx_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        key text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, key)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE processed_events');
    this.addSql('DROP TABLE event_checkpoints');
    this.addSql('DROP TABLE events');
    this.addSql('DROP FUNCTION events_notify');
  }
}

/**
 * The store notifies readers after an append commits instead (`CommitSignal`):
 * a NOTIFY inside the appending transaction made every append commit under
 * one cluster-wide lock, flush after flush.
 */
class NotifyAfterCommit extends Migration {
  override up(): void {
    this.addSql('DROP TRIGGER events_notify ON events');
    this.addSql('DROP FUNCTION events_notify()');
  }

  override down(): void {
    this.addSql(`
      CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${EVENTS_CHANNEL}', '');
        RETURN NULL;
      END $$`);
    this.addSql(
      'CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_notify()',
    );
  }
}

/** Migrations of the event store; they run before every app's own. */
export const eventStoreMigrations: MigrationObject[] = [
  { name: '0001-event-store', class: EventStoreInitial },
  { name: '0002-notify-after-commit', class: NotifyAfterCommit },
];
