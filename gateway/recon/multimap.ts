/** Maps whose values are one item or several: most keys hold one, so no array is made for them. */
export type OneOrMore<V> = V | V[];

export function addTo<K, V>(map: Map<K, OneOrMore<V>>, key: K, value: V): void {
  const e = map.get(key);
  if (e === undefined) map.set(key, value);
  else if (Array.isArray(e)) e.push(value);
  else map.set(key, [e, value]);
}

export function removeFrom<K, V>(map: Map<K, OneOrMore<V>>, key: K, value: V): void {
  const e = map.get(key);
  if (e === undefined) return;
  if (!Array.isArray(e)) {
    if (e === value) map.delete(key);
    return;
  }
  const rest = e.filter((v) => v !== value);
  if (rest.length === 0) map.delete(key);
  else map.set(key, rest.length === 1 ? rest[0] : rest);
}

export function listOf<V>(e: OneOrMore<V> | undefined): readonly V[] {
  return e === undefined ? [] : Array.isArray(e) ? e : [e];
}
