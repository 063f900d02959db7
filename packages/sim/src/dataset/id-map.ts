/**
 * Raw ids (strings as they appear in a file) to dense indices 0..size−1, in
 * order of first appearance. Deterministic: the same file always gives the
 * same indices, and the raw id of every index is kept so that results
 * (top-K lists, per-item metrics) can name items as the source does.
 */
export class IdMap {
  private readonly indexOf = new Map<string, number>();
  private readonly list: string[] = [];

  /** The index of `id`, assigning the next free one on first sight. */
  intern(id: string): number {
    let index = this.indexOf.get(id);
    if (index === undefined) {
      index = this.list.length;
      this.indexOf.set(id, index);
      this.list.push(id);
    }
    return index;
  }

  /** The index of `id`, or undefined if it never appeared. */
  index(id: string): number | undefined {
    return this.indexOf.get(id);
  }

  /** The raw id of `index`. */
  id(index: number): string {
    const id = this.list[index];
    if (id === undefined) throw new RangeError(`expected an index in [0, ${this.list.length}), got ${index}`);
    return id;
  }

  get size(): number {
    return this.list.length;
  }

  /** Every raw id, by index. */
  get ids(): readonly string[] {
    return this.list;
  }
}
