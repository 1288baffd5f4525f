/**
 * The studio's media entry, loaded by a dynamic import() only when the host opens the studio, never
 * with the shopper's script tag: the pipeline, and `<live-shop-media-controls>` (defined once, so
 * loading this twice is harmless).
 */
import { LiveShopMediaControlsElement } from '../live-shop-media-controls.ts';

export { LiveShopMediaControlsElement };
export { MediaPipeline, MEDIA_DEFAULTS, type MediaOptions, type MediaStats } from './pipeline.ts';

if (!customElements.get('live-shop-media-controls')) customElements.define('live-shop-media-controls', LiveShopMediaControlsElement);

declare global {
  interface HTMLElementTagNameMap {
    'live-shop-media-controls': LiveShopMediaControlsElement;
  }
}
