import type { Transport } from './player/player.ts';

/** The shopper element's public state. */
export type LiveShopState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';

/** Every public DOM event, by name. Storefronts integrate through these, never through shadow DOM. */
export const LiveShopEvent = {
  state: 'live-shop:state',
  studioState: 'live-shop-studio:state',
} as const;

export interface LiveShopEventMap {
  /** Fired on every change of `state` or `transport`. */
  'live-shop:state': { state: LiveShopState; transport: Transport | null; room: string; error: string | null };
  /** Fired on every change of the studio's state. */
  'live-shop-studio:state': { state: StudioState; room: string; error: string | null };
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
  }
}
