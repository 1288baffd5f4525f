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
