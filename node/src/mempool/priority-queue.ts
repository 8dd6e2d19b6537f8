/**
 * A binary heap: `pop` gives the item that goes `before` every other one.
 *
 * @example
 * const queue = new PriorityQueue<number>((a, b) => a > b);
 * queue.push(1); queue.push(3); queue.pop(); // 3
 */
export class PriorityQueue<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(items[i] as T, items[parent] as T)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length <= 1) return items.pop();
    const top = items[0];
    items[0] = items.pop() as T;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < items.length && this.#before(items[left] as T, items[first] as T)) first = left;
      if (right < items.length && this.#before(items[right] as T, items[first] as T)) first = right;
      if (first === i) return top;
      this.#swap(i, first);
      i = first;
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const item = items[a] as T;
    items[a] = items[b] as T;
    items[b] = item;
  }
}
