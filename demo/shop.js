// The demo shop's own page script: a cart that lives in this page, like any storefront's.
const lines = document.querySelector('[data-cart-lines]');
const count = document.querySelector('[data-cart-count]');
const cart = [];

export function addToCart(item) {
  cart.push(item);
  count.textContent = String(cart.reduce((n, line) => n + line.quantity, 0));
  lines.replaceChildren(
    ...cart.map((line) => {
      const li = document.createElement('li');
      li.textContent = `${line.quantity} × ${line.title ?? line.sku}${line.variant ? ` (${line.variant})` : ''}`;
      return li;
    }),
  );
}

document.querySelector('[data-add-to-cart]').addEventListener('click', (event) => {
  const size = document.querySelector('input[name=size]:checked')?.value;
  addToCart({ sku: event.currentTarget.dataset.sku, title: 'Trail Runner 2 — Waterproof', variant: size ? `EU ${size}` : null, quantity: 1 });
});

// What the shopper adds from the live show lands in this page's cart too: the shop handles the
// event, so the widget does not open the product page.
document.addEventListener('live-shop:add-to-cart', (event) => {
  event.preventDefault();
  const { sku, title, variantTitle, quantity } = event.detail;
  addToCart({ sku, title, variant: variantTitle, quantity });
});
