import { emit, type AddToCartDetail } from '../events.ts';

/** The built-in cart adapters, chosen with `<live-shop cart="...">`. */
export type CartAdapter = 'shopify' | null;

export function cartAdapter(value: string | null | undefined): CartAdapter {
  return value === 'shopify' ? 'shopify' : null;
}

export type HandOffResult = 'handled' | 'added' | 'opened' | 'failed';

/**
 * Hands an add-to-cart to the shop: first the cancelable `live-shop:add-to-cart` event, so the
 * storefront's own cart takes it; if nobody cancels it, the configured adapter adds it; without
 * one, the product page opens.
 */
export async function handOff(target: EventTarget, detail: AddToCartDetail, adapter: CartAdapter): Promise<HandOffResult> {
  if (!emit(target, 'live-shop:add-to-cart', detail, { cancelable: true })) return 'handled';
  if (adapter === 'shopify') return (await addToShopifyCart(detail)) ? 'added' : 'failed';
  if (!detail.url) return 'failed';
  window.open(detail.url, '_blank', 'noopener');
  return 'opened';
}

/**
 * Shopify's AJAX cart API on the shop's own origin: POST /cart/add.js with the variant id
 * (the catalog's variant ids are Shopify variant ids when the catalog comes from Shopify).
 */
export async function addToShopifyCart(detail: AddToCartDetail, root = '/'): Promise<boolean> {
  const response = await fetch(`${root.replace(/\/?$/, '/')}cart/add.js`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      items: [{ id: detail.variant ?? detail.sku, quantity: detail.quantity, properties: { _live_shop_room: detail.room } }],
    }),
  }).catch(() => null);
  return response?.ok ?? false;
}
