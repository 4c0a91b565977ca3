// A property made when first read that still looks like any other to JSON.stringify, Object.keys, spread and
// deep equality: an own enumerable accessor, as an object literal's `get x()` is. A literal makes a new getter
// for every object, which turns each one into a dictionary object (larger, slower to make and to read, and
// megamorphic to whoever reads it); here every object shares one getter per key and keeps one hidden class,
// and what the getter needs is held in a non-enumerable symbol-keyed property of the object.
export interface LazySource<T> {
  /** The value, made once. */
  value(): T;
}

interface LazyKey {
  readonly symbol: symbol;
  readonly getter: (this: object) => unknown;
}

const lazyKeys = new Map<string, LazyKey>();

function lazyKey(key: string): LazyKey {
  let found = lazyKeys.get(key);
  if (found === undefined) {
    const symbol = Symbol(`ctrstat.lazy.${key}`);
    found = {
      symbol,
      getter(this: object) {
        return (this as Record<symbol, LazySource<unknown>>)[symbol]!.value();
      },
    };
    lazyKeys.set(key, found);
  }
  return found;
}

/** Adds `key` to `target` as an enumerable, configurable getter of source.value(), after its other properties. */
export function defineLazy<T extends object, K extends string, V>(
  target: T,
  key: K,
  source: LazySource<V>,
): T & { readonly [P in K]: V } {
  const { symbol, getter } = lazyKey(key);
  Object.defineProperty(target, symbol, { value: source });
  Object.defineProperty(target, key, { get: getter, enumerable: true, configurable: true });
  return target as T & { readonly [P in K]: V };
}
