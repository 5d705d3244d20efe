/**
 * Makes `object[key]` (enumerable, in its place among the keys where it is one already) the value
 * `make()` gives when first read, kept from then on as a plain value (a value set before it is
 * read is kept instead); `kept` is called once it is a plain value, either way. For a result's
 * final parameters: most of its numbers, often never read.
 */
export function lazyProperty<T extends object, K extends keyof T>(
  object: T,
  key: K,
  make: () => T[K],
  kept?: () => void,
): T {
  const keep = (value: T[K]) => {
    Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
    kept?.();
  };
  Object.defineProperty(object, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      keep(value);
      return value;
    },
    set: keep,
  });
  return object;
}
