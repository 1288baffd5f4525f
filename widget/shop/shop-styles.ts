import { css } from 'lit';

/** What every shop and chat element shares: the shop's accent, font and corner radius. */
export const shopStyles = css`
  :host {
    font-family: var(--live-shop-font, system-ui, sans-serif);
    --accent: var(--live-shop-accent, #e11d48);
    --radius: var(--live-shop-radius, 12px);
    --surface: var(--live-shop-surface, #fff);
    --ink: var(--live-shop-ink, #0f172a);
    --muted: var(--live-shop-muted, #475569);
    color: var(--ink);
  }
  button {
    font: inherit;
    font-weight: 600;
    border: 0;
    border-radius: 999px;
    padding: 8px 14px;
    cursor: pointer;
    background: var(--accent);
    color: #fff;
  }
  button:disabled { background: #94a3b8; cursor: default; }
  button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .visually-hidden {
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
  }
`;
