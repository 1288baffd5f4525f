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
];
