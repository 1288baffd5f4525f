import { atom } from 'nanostores';

const ID_KEY = 'live-shop:shopper';
const NAME_KEY = 'live-shop:name';

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage blocked (private mode, sandboxed iframe): the id lives for this page only
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // as above
  }
}

let id: string | null = null;

/**
 * The shopper's anonymous id: random, kept in localStorage so a reload is the same shopper
 * (one coupon each, the same chat handle), never tied to anything about the person.
 */
export function shopperId(): string {
  id ??= stored(ID_KEY);
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    // getRandomValues, unlike randomUUID, also works on shop pages served over plain http.
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    store(ID_KEY, id);
  }
  return id;
}

/**
 * The shop's signed token for its signed-in customer (`<live-shop shopper-token>`), sent with
 * every action so the relay knows the customer on every device; empty when the shopper is anonymous.
 */
export const $shopperToken = atom<string>('');

/** The name the shopper chats under; empty until they choose one. */
export const $shopperName = atom<string>(stored(NAME_KEY) ?? '');
$shopperName.listen((name) => store(NAME_KEY, name));
