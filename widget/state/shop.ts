import { map, type MapStore } from 'nanostores';
import { onRoomEvent, type RoomState } from './room.ts';

/**
 * Shapes as the relay sends them, from the relay's own definitions: one source for both ends.
 * Type-only, so nothing of the server reaches the bundle.
 */
import type { Pin as RelayPin } from '../../server/commerce/pins.ts';
export type { Product, Variant } from '../../server/catalog/catalog.ts';
export type { FlashSale } from '../../server/commerce/flash-sales.ts';
export type { Coupon } from '../../server/commerce/coupons.ts';
import type { Coupon } from '../../server/commerce/coupons.ts';
import type { FlashSale } from '../../server/commerce/flash-sales.ts';

export interface Pin extends RelayPin {
  /** Capture time of the unpin, once the host unpinned it. */
  until?: number;
}

export interface ShopState {
  pins: Pin[];
  flashSales: FlashSale[];
  coupons: Coupon[];
}

const shops = new WeakMap<MapStore<RoomState>, MapStore<ShopState>>();

/** What a room sells now, kept beside its room store and fed by the room's event stream. */
export function shopStore(room: MapStore<RoomState>): MapStore<ShopState> {
  let shop = shops.get(room);
  if (!shop) {
    shop = map<ShopState>({ pins: [], flashSales: [], coupons: [] });
    shops.set(room, shop);
  }
  return shop;
}

const upsert = <T>(list: T[], item: T, same: (a: T) => boolean): T[] =>
  list.some(same) ? list.map((x) => (same(x) ? item : x)) : [...list, item];

onRoomEvent('snapshot', (event, room) => {
  const data = event.data as Partial<ShopState> | null;
  if (data) shopStore(room).set({ pins: data.pins ?? [], flashSales: data.flashSales ?? [], coupons: data.coupons ?? [] });
});
onRoomEvent('pin', (event, room) => {
  const pin = event.data as Pin;
  const shop = shopStore(room);
  shop.setKey('pins', upsert(shop.get().pins, pin, (p) => p.sku === pin.sku));
});
onRoomEvent('unpin', (event, room) => {
  const { sku, at } = event.data as { sku: string; at: number };
  const shop = shopStore(room);
  // Kept until the video reaches the unpin, so a delayed player hides it in step with the picture.
  shop.setKey('pins', shop.get().pins.map((p) => (p.sku === sku ? { ...p, until: at } : p)));
});
onRoomEvent('flash-sale', (event, room) => {
  const sale = event.data as FlashSale;
  const shop = shopStore(room);
  shop.setKey('flashSales', upsert(shop.get().flashSales, sale, (s) => s.id === sale.id));
});
onRoomEvent('coupon', (event, room) => {
  const coupon = event.data as Coupon;
  const shop = shopStore(room);
  shop.setKey('coupons', upsert(shop.get().coupons, coupon, (c) => c.id === coupon.id));
});

/** The pins to show at this moment of the video (capture clock in epoch ms), oldest first, at most three. */
export function visiblePins(pins: Pin[], clock: number): Pin[] {
  return pins.filter((p) => p.at <= clock && (p.until === undefined || p.until > clock)).slice(-3);
}
