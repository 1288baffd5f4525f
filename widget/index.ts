/**
 * The script tag a shop pastes (`live-shop.js`): defines `<live-shop>`. Loading it twice (two
 * snippets on one page) is harmless.
 */
import { LiveShopElement } from './live-shop.ts';

export { LiveShopElement };
export type { LiveShopEventMap, LiveShopState } from './events.ts';

if (!customElements.get('live-shop')) customElements.define('live-shop', LiveShopElement);

declare global {
  interface HTMLElementTagNameMap {
    'live-shop': LiveShopElement;
  }
}
