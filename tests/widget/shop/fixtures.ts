import type { Coupon, FlashSale, Product } from '../../../widget/state/shop.ts';

/** Markup and script where a shop or a shopper could put them: must always show as inert text. */
export const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

export const product = (overrides: Partial<Product> = {}): Product => ({
  sku: 'TR2',
  title: 'Trail Runner 2',
  description: 'Waterproof',
  price: '129.00',
  currency: 'EUR',
  image: '/demo/images/trail-runner.svg',
  url: '/products/tr2',
  stock: 12,
  variants: [
    { id: 'eu-41', title: 'EU 41', price: null, stock: 0 },
    { id: 'eu-42', title: 'EU 42', price: null, stock: 4 },
    { id: 'eu-43', title: 'EU 43', price: '119.00', stock: 9 },
  ],
  ...overrides,
});

export const sale = (overrides: Partial<FlashSale> = {}): FlashSale => ({
  id: 'sale-1',
  sku: 'TR2',
  title: 'Trail Runner 2',
  image: null,
  price: '99.00',
  regularPrice: '129.00',
  currency: 'EUR',
  quantity: 20,
  remaining: 7,
  startedAt: Date.now() - 10_000,
  endsAt: Date.now() + 125_000,
  status: 'active',
  ...overrides,
});

export const coupon = (overrides: Partial<Coupon> = {}): Coupon => ({
  id: 'c-1',
  title: '10% off everything',
  quantity: 50,
  remaining: 12,
  expiresAt: Date.now() + 600_000,
  createdAt: Date.now() - 1000,
  status: 'active',
  ...overrides,
});
