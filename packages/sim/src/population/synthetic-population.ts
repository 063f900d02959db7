import { createSeededRandomSource, nextInt } from '@fedrec/core';
import type { RandomSource, ShoppingEvent } from '@fedrec/core';
import type { Population, VirtualShopper } from './population.js';
import type { PopulationSpec } from './population-spec.js';
import type { SyntheticPopulationConfig } from './synthetic-population-config.js';

export type { SyntheticPopulationConfig };


interface Catalogue {
  readonly categories: number;
  readonly styles: number;
  readonly itemCategories: Int32Array;
  /** Items of each (category, style) cell and their cumulative popularity. */
  readonly cellItems: Int32Array[];
  readonly cellCumulative: Float64Array[];
}

const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * Virtual shoppers with the shape of real shop traffic, reproducible from a
 * seed:
 *
 * - a catalogue split into categories, each into styles, with Zipf
 *   popularity (a few hits, a long tail);
 * - every shopper prefers one to three categories and one style in each;
 * - a few sessions, each a run of views of which some go to the cart and
 *   some of those are bought (view → cart → purchase funnel);
 * - drift: in later sessions a shopper's main interest may move to another
 *   category.
 *
 * Each shopper's history is generated on demand from its own seed, so a
 * population of a million costs no memory until a shopper is asked for.
 */
export class SyntheticPopulation implements Population {
  readonly name: string;
  readonly numShoppers: number;
  readonly numItems: number;
  readonly itemCategories: Int32Array;
  /** Style of each item within its category (0..stylesPerCategory−1): public product facts, like its category. */
  readonly itemStyles: Int32Array;
  readonly spec: PopulationSpec;
  private readonly catalogue: Catalogue;
  private readonly meanSessions: number;
  private readonly seed: string;

  constructor(config: SyntheticPopulationConfig) {
    const { shoppers, items } = config;
    if (!Number.isSafeInteger(shoppers) || shoppers < 1) throw new RangeError(`expected shoppers >= 1, got ${shoppers}`);
    if (!Number.isSafeInteger(items) || items < 8) throw new RangeError(`expected items >= 8, got ${items}`);
    this.numShoppers = shoppers;
    this.numItems = items;
    this.seed = String(config.seed);
    this.meanSessions = config.meanSessions ?? 4;
    const categories = config.categories ?? Math.max(4, Math.round(Math.sqrt(items) / 2));
    const styles = config.stylesPerCategory ?? 3;
    if (categories * styles > items) throw new RangeError(`expected categories × styles <= items, got ${categories} × ${styles} > ${items}`);
    this.catalogue = buildCatalogue(items, categories, styles, config.zipfExponent ?? 1.0, createSeededRandomSource(`${this.seed}/catalogue`));
    this.itemCategories = this.catalogue.itemCategories;
    this.itemStyles = new Int32Array(items);
    this.catalogue.cellItems.forEach((members, cell) => members.forEach((item) => (this.itemStyles[item] = cell % styles)));
    this.name = `synthetic:${shoppers}`;
    this.spec = { kind: 'synthetic', config };
  }

  shopper(index: number): VirtualShopper {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.numShoppers) {
      throw new RangeError(`expected shopper index in [0, ${this.numShoppers}), got ${index}`);
    }
    const random = createSeededRandomSource(`${this.seed}/shopper/${index}`);
    return { index, events: this.generateEvents(random) };
  }

  private generateEvents(random: RandomSource): ShoppingEvent[] {
    const { categories, styles } = this.catalogue;
    // Interests: 1–3 categories, the first strongest, each with a preferred style.
    const interestCount = 1 + nextInt(random, 3);
    const interests: { category: number; style: number; weight: number }[] = [];
    for (let k = 0; k < interestCount; k++) {
      interests.push({ category: nextInt(random, categories), style: nextInt(random, styles), weight: 1 / (k + 1) });
    }
    const sessions = 1 + nextInt(random, 2 * this.meanSessions - 1);
    const events: ShoppingEvent[] = [];
    let time = EPOCH_MS + nextInt(random, 30) * DAY_MS;
    for (let s = 0; s < sessions; s++) {
      // Drift: sometimes the main interest moves on.
      if (s > 0 && interests.length > 1 && random.nextFloat() < 0.25) interests.push(interests.shift()!);
      const views = 3 + nextInt(random, 6);
      for (let v = 0; v < views; v++) {
        const item = this.pickItem(interests, random);
        time += 30_000 + nextInt(random, 300_000);
        events.push({ item, type: 'view', time });
        if (random.nextFloat() < 0.3) {
          time += 10_000 + nextInt(random, 60_000);
          events.push({ item, type: 'cart', time });
          if (random.nextFloat() < 0.5) {
            time += 10_000 + nextInt(random, 120_000);
            events.push({ item, type: 'purchase', time });
          }
        }
      }
      time += DAY_MS * (1 + nextInt(random, 14));
    }
    return events;
  }

  private pickItem(interests: readonly { category: number; style: number; weight: number }[], random: RandomSource): number {
    const { categories, styles } = this.catalogue;
    let category: number;
    let style: number;
    if (random.nextFloat() < 0.1) {
      // Exploration outside the shopper's interests.
      category = nextInt(random, categories);
      style = nextInt(random, styles);
    } else {
      const total = interests.reduce((a, i) => a + i.weight, 0);
      let r = random.nextFloat() * total;
      let chosen = interests[0]!;
      for (const interest of interests) {
        r -= interest.weight;
        chosen = interest;
        if (r <= 0) break;
      }
      category = chosen.category;
      style = random.nextFloat() < 0.8 ? chosen.style : nextInt(random, styles);
    }
    const cell = category * styles + style;
    return sampleCumulative(this.catalogue.cellItems[cell]!, this.catalogue.cellCumulative[cell]!, random);
  }
}

function buildCatalogue(items: number, categories: number, styles: number, zipf: number, random: RandomSource): Catalogue {
  const cells = categories * styles;
  // A random permutation assigns popularity ranks; items are dealt to cells round-robin in that order
  // so every cell gets hits and tail items alike.
  const order = Int32Array.from({ length: items }, (_, i) => i);
  for (let i = items - 1; i > 0; i--) {
    const j = nextInt(random, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const itemCategories = new Int32Array(items);
  const members: number[][] = Array.from({ length: cells }, () => []);
  const weights: number[][] = Array.from({ length: cells }, () => []);
  for (let rank = 0; rank < items; rank++) {
    const item = order[rank]!;
    const cell = (rank + nextInt(random, cells)) % cells;
    itemCategories[item] = Math.floor(cell / styles);
    members[cell]!.push(item);
    weights[cell]!.push(1 / Math.pow(rank + 1, zipf));
  }
  // Make sure no cell is empty (possible with random dealing on tiny catalogues).
  for (let c = 0; c < cells; c++) {
    if (members[c]!.length === 0) {
      const donor = members.findIndex((m) => m.length > 1);
      const item = members[donor]!.pop()!;
      weights[donor]!.pop();
      members[c]!.push(item);
      weights[c]!.push(1 / items);
      itemCategories[item] = Math.floor(c / styles);
    }
  }
  const cellCumulative = weights.map((w) => {
    const cum = new Float64Array(w.length);
    let acc = 0;
    w.forEach((x, i) => (cum[i] = acc += x));
    return cum;
  });
  return { categories, styles, itemCategories, cellItems: members.map((m) => Int32Array.from(m)), cellCumulative };
}

function sampleCumulative(items: Int32Array, cumulative: Float64Array, random: RandomSource): number {
  const target = random.nextFloat() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return items[lo]!;
}
