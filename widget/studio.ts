/**
 * The host's console entry (`live-shop-studio.js`), separate from the shopper's script tag so that
 * camera, encoder and processing code never weigh on a product page.
 */
import { LiveShopStudioElement } from './live-shop-studio.ts';
import { LiveShopHostPanelElement } from './studio/live-shop-host-panel.ts';

export { LiveShopHostPanelElement, LiveShopStudioElement };

if (!customElements.get('live-shop-studio')) customElements.define('live-shop-studio', LiveShopStudioElement);
if (!customElements.get('live-shop-host-panel')) customElements.define('live-shop-host-panel', LiveShopHostPanelElement);

declare global {
  interface HTMLElementTagNameMap {
    'live-shop-studio': LiveShopStudioElement;
    'live-shop-host-panel': LiveShopHostPanelElement;
  }
}
