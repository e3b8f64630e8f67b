/** Where the chat comes from and how it looks. */
export interface ChatOptions {
  /** The relay's address, e.g. "https://chat.shop.example". */
  relay: string;
  /** The shop, as added with `beseda-relay site add`; "default" when left out. */
  site?: string;
  /** A language tag ("cs", "sk", "pl", "ru", "en", "de"); else `<html lang>`, else the browser's. */
  locale?: string;
  position?: "right" | "left";
  /** The accent colour, e.g. "#2563eb". */
  color?: string;
  /** The visitor consented (your consent banner said so): proactive prompts may remember pages
   * and visits. Without it nothing is stored before the visitor uses the chat. */
  consent?: boolean;
}

/** A stored message, as shown in the chat. */
export interface Message {
  id: number;
  author: "visitor" | "operator" | "system";
  text: string;
  /** ISO 8601, e.g. "2026-11-22T10:15:30.123Z". */
  sentAt: string;
  /** The message's place in its conversation. */
  seq: number;
  /** The operator's name, for operator messages. */
  authorName?: string;
}

export interface ChatEvents {
  ready: void;
  open: void;
  close: void;
  /** Every message shown, in order, once each. */
  message: Message;
  availability: { online: boolean };
  "prompt:shown": { id: number; variant: number };
  "prompt:dismissed": { id: number; variant: number };
  /** The chat cannot work on this page, e.g. `code` "unknown_site" when the relay serves no site
   * by the name given; every send is rejected with the same `code`. Told again to handlers added
   * later. */
  error: { code: string; message: string };
}

export interface CartItem {
  name: string;
  qty: number;
  price: number;
}

/** The same object as `window.Beseda`. Calls made before the widget is ready are queued. */
export interface Chat {
  open(): void;
  close(): void;
  toggle(): void;
  /** Resolves with the stored message once the relay has acknowledged it; rejects with an
   * `Error` carrying the relay's `code` when it refuses the message or the chat. */
  send(text: string): Promise<Message>;
  on<E extends keyof ChatEvents>(event: E, handler: (payload: ChatEvents[E]) => void): void;
  off<E extends keyof ChatEvents>(event: E, handler: (payload: ChatEvents[E]) => void): void;
  setVisitor(visitor: { name?: string; email?: string }): void;
  setCart(cart: { items: CartItem[]; total: number; currency: string }): void;
  /** Your consent banner's answer, for this page view: `true` lets proactive prompts remember
   * pages and visits; `false` withdraws and clears that memory (a chat the visitor started is
   * kept). Call it on every page; it is never stored. */
  consent(granted: boolean): void;
  /** Reports an order (on the thank-you page): it counts for the proactive prompt seen last. */
  track(event: "order", data: { total: number }): void;
}

/** Adds the relay's widget to the page (once) and resolves with its API. */
export function createChat(options: ChatOptions): Promise<Chat>;
export default createChat;
