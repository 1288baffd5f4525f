/** What a shopper does in a show, as calls to the relay; refusals come back as RelayRequestError with the reason. */
import { relayFetch, roomPath } from '../relay/client.ts';
import { $shopperToken, shopperId } from '../state/shopper.ts';
import type { ChatMessage } from '../state/chat.ts';
import type { Coupon, FlashSale } from '../state/shop.ts';

const post = <T>(base: string, path: string, body: Record<string, unknown>, key?: string) =>
  relayFetch<T>(base, path, {
    method: 'POST',
    body: JSON.stringify({ shopper: shopperId(), ...($shopperToken.get() ? { shopperToken: $shopperToken.get() } : {}), ...body }),
    headers: key ? { 'idempotency-key': key } : {},
  });

export const sendChat = (base: string, room: string, name: string, text: string) =>
  post<ChatMessage>(base, `${roomPath(room)}/chat`, { name, text });

export const sendLikes = (base: string, room: string, count: number) => post<{ accepted: number }>(base, `${roomPath(room)}/likes`, { count });

/** One key per coupon and shopper: a retry after a lost answer returns the first answer. */
export const claimCoupon = (base: string, room: string, id: string) =>
  post<{ coupon: Coupon; code: string; claimedAt: number }>(base, `${roomPath(room)}/coupons/${encodeURIComponent(id)}/claim`, {}, `coupon-${id}-${shopperId()}`.slice(0, 128));

export const claimFlashSale = (base: string, room: string, id: string) =>
  post<{ sale: FlashSale; reservedAt: number }>(base, `${roomPath(room)}/flash-sales/${encodeURIComponent(id)}/claim`, {}, `sale-${id}-${shopperId()}`.slice(0, 128));
