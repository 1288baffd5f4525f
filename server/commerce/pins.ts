import type { Catalog, Product } from '../catalog/catalog.ts';
import { conflict, notFound } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

/** At most this many products are highlighted at once, as shoppers of live shows expect. */
export const MAX_PINS = 3;

export interface Pin {
  sku: string;
  /** Capture wall-clock time (epoch ms) of the moment the host showed it: players reveal it then. */
  at: number;
  product: Product;
}

/** The products a room's host has pinned, oldest first. */
export class Pins {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
  ) {}

  list(room: string): Pin[] {
    const rows = this.db.statement('SELECT sku, pinned_at FROM pins WHERE room = ? ORDER BY pinned_at, sku').all(room) as Array<{ sku: string; pinned_at: number }>;
    return rows.flatMap((row) => {
      const product = this.catalog.get(row.sku);
      return product ? [{ sku: row.sku, at: row.pinned_at, product }] : [];
    });
  }

  /** Pins a product; pinning one that is already pinned moves its moment to `at`. */
  pin(room: string, sku: string, at: number): Pin {
    const product = this.catalog.get(sku);
    if (!product) throw notFound(`no product with sku "${sku}" in the catalog; import it first (POST /v1/catalog)`);
    return this.db.transaction(() => {
      const pinned = this.list(room).map((pin) => pin.sku);
      if (!pinned.includes(sku) && pinned.length >= MAX_PINS) {
        throw conflict('too_many_pins', `at most ${MAX_PINS} products are pinned at once; unpin one of ${pinned.join(', ')} first`);
      }
      this.db.statement('INSERT INTO pins (room, sku, pinned_at) VALUES (?, ?, ?) ON CONFLICT (room, sku) DO UPDATE SET pinned_at = excluded.pinned_at').run(room, sku, at);
      return { sku, at, product };
    }).immediate();
  }

  unpin(room: string, sku: string): void {
    const { changes } = this.db.statement('DELETE FROM pins WHERE room = ? AND sku = ?').run(room, sku);
    if (changes === 0) throw notFound(`"${sku}" is not pinned in this room`);
  }

  /** Rooms that pin this product now (for the "live now" teaser on its product page). */
  roomsFeaturing(sku: string): string[] {
    return (this.db.statement('SELECT room FROM pins WHERE sku = ? ORDER BY pinned_at DESC').all(sku) as Array<{ room: string }>).map((r) => r.room);
  }
}
