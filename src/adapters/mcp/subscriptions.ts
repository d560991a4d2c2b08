import type { McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';
import type { Logger } from '../../sdk/logger.js';
import type { Link } from './connection.js';

const RELISTEN_DELAY_MS = 1000;

/**
 * Change notifications from the upstream, whatever its era. A legacy upstream sends `list_changed`
 * unsolicited and `resources/updated` for URIs subscribed with `resources/subscribe`. A modern one
 * sends them only on a `subscriptions/listen` stream: one stream per connection, whose filter holds
 * the list kinds the upstream announces and every subscribed URI; it is re-opened when the set of
 * URIs changes (new stream first, then the old one closed, so nothing is missed in between) and
 * after the upstream drops it. Subscriptions are counted per URI: the upstream is unsubscribed only
 * when the last downstream subscriber leaves.
 */
export class Subscriptions {
  readonly #logger: Logger;
  readonly #counts = new Map<string, number>();
  #stream: { link: Link; subscription: McpSubscription } | undefined;
  #relisten: NodeJS.Timeout | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** True while any downstream client is subscribed (keeps an idle stdio upstream running). */
  get active(): boolean {
    return this.#counts.size > 0;
  }

  async subscribe(link: Link, uri: string): Promise<void> {
    const count = this.#counts.get(uri) ?? 0;
    this.#counts.set(uri, count + 1);
    if (count > 0) return;
    if (link.modern) await this.#listen(link);
    else if (link.client.getServerCapabilities()?.resources?.subscribe) await link.client.subscribeResource({ uri });
  }

  async unsubscribe(link: Link | undefined, uri: string): Promise<void> {
    const count = this.#counts.get(uri) ?? 0;
    if (count > 1) {
      this.#counts.set(uri, count - 1);
      return;
    }
    this.#counts.delete(uri);
    if (!link || count === 0) return;
    if (link.modern) await this.#listen(link);
    else if (link.client.getServerCapabilities()?.resources?.subscribe) await link.client.unsubscribeResource({ uri });
  }

  /** A new connection: subscribe again to everything (legacy) or open the listen stream (modern). */
  async connected(link: Link): Promise<void> {
    if (link.modern) {
      await this.#listen(link);
      return;
    }
    if (!link.client.getServerCapabilities()?.resources?.subscribe) return;
    for (const uri of this.#counts.keys()) {
      await link.client.subscribeResource({ uri }).catch((error: unknown) => this.#logger.warn({ uri, err: String(error) }, 'could not subscribe again to an upstream resource'));
    }
  }

  close(): void {
    clearTimeout(this.#relisten);
    const stream = this.#stream;
    this.#stream = undefined;
    void stream?.subscription.close().catch(() => {});
  }

  async #listen(link: Link): Promise<void> {
    clearTimeout(this.#relisten);
    const capabilities = link.client.getServerCapabilities() ?? {};
    const filter: SubscriptionFilter = {
      ...(capabilities.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(capabilities.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(capabilities.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(capabilities.resources?.subscribe && this.#counts.size > 0 ? { resourceSubscriptions: [...this.#counts.keys()] } : {}),
    };
    const previous = this.#stream;
    if (Object.keys(filter).length === 0) {
      this.#stream = undefined;
      await previous?.subscription.close().catch(() => {});
      return;
    }
    const subscription = await link.client.listen(filter);
    const stream = { link, subscription };
    this.#stream = stream;
    await previous?.subscription.close().catch(() => {});
    void subscription.closed.then((cause) => {
      if (cause !== 'remote' || this.#stream !== stream || link.closing) return;
      this.#logger.warn('the upstream closed its subscriptions/listen stream; opening it again');
      this.#relisten = setTimeout(() => {
        if (this.#stream === stream && !link.closing) this.#listen(link).catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'could not open the listen stream again'));
      }, RELISTEN_DELAY_MS);
      this.#relisten.unref();
    });
  }
}
