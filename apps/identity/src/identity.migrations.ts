import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

class IdentityUserEmails extends Migration {
  override up(): void {
    // Write-side index of the identity service: e-mail addresses are unique
    // across users (case-insensitively), which no single user stream can
    // enforce. Rows are inserted in the transaction that appends
    // UserRegistered, so the table and the store cannot disagree.
    this.addSql(`
      CREATE TABLE identity_user_emails (
        email_key text PRIMARY KEY,
        user_id uuid NOT NULL UNIQUE
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE identity_user_emails');
  }
}

/** The identity service's own tables; the event store's migrations run first. */
export const identityMigrations: MigrationObject[] = [{ name: '0300-identity-emails', class: IdentityUserEmails }];
