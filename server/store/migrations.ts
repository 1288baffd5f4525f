/**
 * The schema, one entry per version, applied in order and never edited once released:
 * a change is a new entry at the end.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE rooms (
     name         TEXT PRIMARY KEY,
     title        TEXT NOT NULL,
     poster       TEXT,
     scheduled_at INTEGER,
     status       TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
     started_at   INTEGER,
     ended_at     INTEGER,
     updated_at   INTEGER NOT NULL
   )`,
  // The room's event stream (resumable from any seq it keeps), the catalog, and what the
  // show sells: pins, flash sales, coupons with their claims, chat and its moderation.
  `CREATE TABLE events (
     room TEXT NOT NULL,
     seq  INTEGER NOT NULL,
     time INTEGER NOT NULL,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (room, seq)
   ) WITHOUT ROWID;
   CREATE TABLE products (
     sku         TEXT PRIMARY KEY,
     title       TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     price       INTEGER NOT NULL,
     currency    TEXT NOT NULL,
     image       TEXT,
     url         TEXT,
     stock       INTEGER,
     variants    TEXT NOT NULL DEFAULT '[]',
     updated_at  INTEGER NOT NULL
   );
   CREATE TABLE pins (
     room      TEXT NOT NULL,
     sku       TEXT NOT NULL,
     pinned_at INTEGER NOT NULL,
     PRIMARY KEY (room, sku)
   );
   CREATE TABLE flash_sales (
     id         TEXT PRIMARY KEY,
     room       TEXT NOT NULL,
     sku        TEXT NOT NULL,
     price      INTEGER NOT NULL,
     quantity   INTEGER NOT NULL,
     sold       INTEGER NOT NULL DEFAULT 0,
     started_at INTEGER NOT NULL,
     ends_at    INTEGER NOT NULL,
     stopped_at INTEGER
   );
   CREATE INDEX flash_sales_room ON flash_sales (room, started_at);
   CREATE TABLE flash_sale_claims (
     sale_id    TEXT NOT NULL REFERENCES flash_sales (id),
     shopper    TEXT NOT NULL,
     claimed_at INTEGER NOT NULL,
     PRIMARY KEY (sale_id, shopper)
   );
   CREATE TABLE coupons (
     id         TEXT PRIMARY KEY,
     room       TEXT NOT NULL,
     code       TEXT NOT NULL,
     title      TEXT NOT NULL,
     quantity   INTEGER NOT NULL,
     claimed    INTEGER NOT NULL DEFAULT 0 CHECK (claimed <= quantity),
     expires_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX coupons_room ON coupons (room, created_at);
   CREATE TABLE coupon_claims (
     coupon_id  TEXT NOT NULL REFERENCES coupons (id),
     shopper    TEXT NOT NULL,
     claimed_at INTEGER NOT NULL,
     PRIMARY KEY (coupon_id, shopper)
   );
   CREATE TABLE idempotency (
     scope      TEXT NOT NULL,
     key        TEXT NOT NULL,
     status     INTEGER NOT NULL,
     body       TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (scope, key)
   );
   CREATE TABLE chat_messages (
     room    TEXT NOT NULL,
     id      TEXT NOT NULL,
     author  TEXT NOT NULL,
     name    TEXT NOT NULL,
     text    TEXT NOT NULL,
     host    INTEGER NOT NULL DEFAULT 0,
     time    INTEGER NOT NULL,
     deleted INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (room, id)
   );
   CREATE INDEX chat_messages_time ON chat_messages (room, time);
   CREATE TABLE chat_settings (
     room              TEXT PRIMARY KEY,
     slow_mode_seconds INTEGER NOT NULL DEFAULT 0,
     blocklist         TEXT NOT NULL DEFAULT '[]',
     likes             INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE chat_mutes (
     room   TEXT NOT NULL,
     author TEXT NOT NULL,
     until  INTEGER NOT NULL,
     PRIMARY KEY (room, author)
   )`,
  // Kept answers to retried claims expire (server/commerce/idempotency.ts): pruned by age.
  `CREATE INDEX idempotency_created ON idempotency (created_at)`,
];
