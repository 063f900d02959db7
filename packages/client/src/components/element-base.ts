import type { ShopperClient } from '../shopper/shopper-client.js';
import type { ShopperClientEvents } from '../shopper/shopper-client-events.js';
import { fedRecStrings, resolvedLocale, type FedRecStrings } from './strings.js';

/*
 * Outside a browser (a server rendering the page, a Node test importing the
 * package) there is no HTMLElement: the classes still load, and only
 * defining or constructing an element needs the DOM.
 */
const HTMLElementBase = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * What `<fedrec-consent>` and `<fedrec-privacy>` share: the client they
 * show (`element.client = client`), following its events (which also carry
 * what other tabs of the shop did), and their locale — the element's `lang`
 * attribute, else the nearest ancestor's, else the document's — with its
 * strings and writing direction. Plain custom elements with an open shadow
 * root, so they work in any framework or none.
 */
export abstract class FedRecElement extends HTMLElementBase {
  static readonly observedAttributes: readonly string[] = ['lang'];
  readonly #shadow: ShadowRoot;
  #client: ShopperClient | null = null;
  #unsubscribe: (() => void) | null = null;
  #documentLang: MutationObserver | null = null;
  /** The locale the skeleton was built for; a change rebuilds it. */
  #builtFor: string | null = null;
  /** Whether this element set its own `dir` (never overriding one the page set). */
  #ownDir = false;

  /** The client events after which the element reads the client again. */
  protected abstract readonly clientEvents: readonly (keyof ShopperClientEvents)[];

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
  }

  /** The shopper client the element shows and acts on; until one is set it shows its frame only. */
  get client(): ShopperClient | null {
    return this.#client;
  }

  set client(client: ShopperClient | null) {
    if (client === this.#client) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#client = client;
    if (this.isConnected) this.#subscribe();
    this.refresh();
  }

  /** The BCP 47 tag the element shows: its `lang`, else the nearest ancestor's, else the document's. */
  get locale(): string {
    const own = this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    return resolvedLocale(own === '' ? 'en' : own);
  }

  /**
   * Whether the last request for the server's privacy notice failed (the
   * element says so instead of showing a notice). The shopper should see what
   * they consent to, so each element asks once per client when the client has
   * no notice yet (`askForNoticeOnce`).
   */
  protected noticeFailed = false;
  #askedForNotice: ShopperClient | null = null;

  protected askForNoticeOnce(client: ShopperClient): void {
    if (client.privacyNotice !== null || this.#askedForNotice === client) return;
    this.#askedForNotice = client;
    this.noticeFailed = false;
    client.refreshPrivacyNotice().then(
      () => this.refresh(),
      () => {
        this.noticeFailed = true;
        this.refresh();
      },
    );
  }

  protected get strings(): FedRecStrings {
    return fedRecStrings(this.locale);
  }

  protected get shadow(): ShadowRoot {
    return this.#shadow;
  }

  /**
   * Styles the shadow root with a constructed stylesheet rather than a
   * `<style>` element: a shop whose Content-Security-Policy says
   * `style-src 'self'` blocks inline `<style>`, but not adopted sheets.
   */
  protected adoptStyles(css: string): void {
    let sheet = sheets.get(css);
    if (sheet === undefined) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheets.set(css, sheet);
    }
    this.#shadow.adoptedStyleSheets = [sheet];
  }

  connectedCallback(): void {
    this.#subscribe();
    // The page may switch languages by setting <html lang>: follow it unless the element has its own.
    this.#documentLang = new MutationObserver(() => this.refresh());
    this.#documentLang.observe(document.documentElement, { attributes: true, attributeFilter: ['lang', 'dir'] });
    this.refresh();
  }

  disconnectedCallback(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#documentLang?.disconnect();
    this.#documentLang = null;
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.refresh();
  }

  /** Rebuilds the skeleton if the locale changed, then shows what the client holds now. */
  refresh(): void {
    if (!this.isConnected) return;
    const locale = this.locale;
    const strings = this.strings;
    // The page's own `dir` wins; otherwise the element takes its locale's direction.
    if (!this.hasAttribute('dir') || this.#ownDir) {
      this.setAttribute('dir', strings.dir);
      this.#ownDir = true;
    }
    if (this.#builtFor !== locale) {
      this.#builtFor = locale;
      this.build(strings);
    }
    this.update(strings);
  }

  /** Builds the shadow root's content for a locale (once per locale, so focus and state survive updates). */
  protected abstract build(strings: FedRecStrings): void;
  /** Shows the client's current state in the built content. */
  protected abstract update(strings: FedRecStrings): void;

  #subscribe(): void {
    const client = this.#client;
    if (client === null || this.#unsubscribe !== null) return;
    const listener = (): void => this.refresh();
    for (const event of this.clientEvents) client.on(event, listener);
    this.#unsubscribe = () => {
      for (const event of this.clientEvents) client.off(event, listener);
    };
  }
}

/** One constructed sheet per stylesheet text, shared by every element of a kind. */
const sheets = new Map<string, CSSStyleSheet>();

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children; text is always inserted as text, never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** A failure's message for the shopper, without internals. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
