import type { Transport } from './player/player.ts';

/** The shopper element's public state. */
export type LiveShopState = 'idle' | 'connecting' | 'live' | 'buffering' | 'reconnecting' | 'ended' | 'replay' | 'error';

/** Every public DOM event, by name. Storefronts integrate through these, never through shadow DOM. */
export const LiveShopEvent = {
  state: 'live-shop:state',
  signInRequired: 'live-shop:sign-in-required',
  studioState: 'live-shop-studio:state',
  addToCart: 'live-shop:add-to-cart',
} as const;

/**
 * A shopper pressed "Add to cart" in the show. Cancel it (`preventDefault()`) when the shop's own
 * cart took it; otherwise the `cart` adapter adds it, or the product page opens.
 */
export interface AddToCartDetail {
  sku: string;
  /** The chosen variant's id, or null for a product without variants. */
  variant: string | null;
  /** The variant's name as the shopper saw it ("EU 42"). */
  variantTitle: string | null;
  quantity: number;
  /** Unit price as a decimal string in `currency` ("24.90"): the flash-sale price during a sale. */
  price: string;
  currency: string;
  room: string;
  title: string;
  /** The product page, when the catalog has one. */
  url: string | null;
  /** Where it was pressed: a pinned product card or a flash sale. */
  source: 'pin' | 'flash-sale';
}

export interface LiveShopEventMap {
  /** Fired on every change of `state` or `transport`. */
  'live-shop:state': { state: LiveShopState; transport: Transport | null; room: string; error: string | null };
  /** Fired on every change of the studio's state. */
  'live-shop-studio:state': { state: StudioState; room: string; error: string | null };
  /** Cancelable: see {@link AddToCartDetail}. */
  'live-shop:add-to-cart': AddToCartDetail;
  /**
   * A shopper tried to claim a coupon or flash sale on a relay that lets only signed-in customers
   * claim (`LIVE_SHOP_CLAIMS=signed-in`) without the page's `shopper-token`: open the shop's sign-in.
   */
  'live-shop:sign-in-required': { room: string; action: 'coupon' | 'flash-sale' };
}

export type StudioState = 'idle' | 'previewing' | 'going-live' | 'live' | 'ending' | 'ended' | 'error';

export type LiveShopEventName = keyof LiveShopEventMap;

/** Dispatches a typed, bubbling, composed event; returns false if a listener cancelled it. */
export function emit<K extends LiveShopEventName>(
  target: EventTarget,
  name: K,
  detail: LiveShopEventMap[K],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
}

declare global {
  interface HTMLElementEventMap {
    'live-shop:state': CustomEvent<LiveShopEventMap['live-shop:state']>;
    'live-shop-studio:state': CustomEvent<LiveShopEventMap['live-shop-studio:state']>;
    'live-shop:add-to-cart': CustomEvent<LiveShopEventMap['live-shop:add-to-cart']>;
    'live-shop:sign-in-required': CustomEvent<LiveShopEventMap['live-shop:sign-in-required']>;
  }
}
