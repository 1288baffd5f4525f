/**
 * The shopping layer of a live show, loaded only once a show is live so that the script tag
 * stays small: defines every shop and chat element, guarded so that loading it twice is harmless.
 */
import { LiveShopChatElement } from '../chat/live-shop-chat.ts';
import { LiveShopDanmakuElement } from '../chat/live-shop-danmaku.ts';
import { LiveShopLikesElement } from '../chat/live-shop-likes.ts';
import { LiveShopOverlayElement } from '../chat/live-shop-overlay.ts';
import { LiveShopCouponElement } from './live-shop-coupon.ts';
import { LiveShopFlashSaleElement } from './live-shop-flash-sale.ts';
import { LiveShopPanelElement } from './live-shop-panel.ts';
import { LiveShopProductCardElement } from './live-shop-product-card.ts';
import { LiveShopProductListElement } from './live-shop-product-list.ts';

const TAGS = {
  'live-shop-product-card': LiveShopProductCardElement,
  'live-shop-product-list': LiveShopProductListElement,
  'live-shop-flash-sale': LiveShopFlashSaleElement,
  'live-shop-coupon': LiveShopCouponElement,
  'live-shop-chat': LiveShopChatElement,
  'live-shop-danmaku': LiveShopDanmakuElement,
  'live-shop-likes': LiveShopLikesElement,
  'live-shop-overlay': LiveShopOverlayElement,
  'live-shop-panel': LiveShopPanelElement,
} as const;

for (const [tag, element] of Object.entries(TAGS)) if (!customElements.get(tag)) customElements.define(tag, element);

declare global {
  interface HTMLElementTagNameMap {
    'live-shop-product-card': LiveShopProductCardElement;
    'live-shop-product-list': LiveShopProductListElement;
    'live-shop-flash-sale': LiveShopFlashSaleElement;
    'live-shop-coupon': LiveShopCouponElement;
    'live-shop-chat': LiveShopChatElement;
    'live-shop-danmaku': LiveShopDanmakuElement;
    'live-shop-likes': LiveShopLikesElement;
    'live-shop-overlay': LiveShopOverlayElement;
    'live-shop-panel': LiveShopPanelElement;
  }
}
