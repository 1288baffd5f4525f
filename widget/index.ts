/**
 * The script tag a shop pastes (`live-shop.js`): defines `<live-shop>`. Loading it twice (two
 * snippets on one page) is harmless.
 */
import { LiveShopElement } from './live-shop.ts';
import { LiveShopTeaserElement } from './shop/live-shop-teaser.ts';

export { LiveShopElement };
export type { AddToCartDetail, LiveShopEventMap, LiveShopState } from './events.ts';

if (!customElements.get('live-shop')) customElements.define('live-shop', LiveShopElement);
if (!customElements.get('live-shop-teaser')) customElements.define('live-shop-teaser', LiveShopTeaserElement);

declare global {
  interface HTMLElementTagNameMap {
    'live-shop': LiveShopElement;
    'live-shop-teaser': LiveShopTeaserElement;
  }
}
