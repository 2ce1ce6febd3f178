// JSON bodies as a broken client sends them: the right shape with wrong types, missing
// or extra fields, keys in other cases, or not JSON at all.
import type { Prng } from '../prng.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A JSON value of any type, small. */
export function anyValue(prng: Prng, depth = 0): Json {
  return prng.weighted<() => Json>([
    [2, () => prng.string(prng.length(30))],
    [2, () => prng.pick([0, -1, 1, 1.5, 2 ** 53, -(2 ** 63), 1e308, -0])],
    [1, () => null],
    [1, () => prng.chance(0.5)],
    [depth < 2 ? 1 : 0, () => Array.from({ length: prng.int(0, 3) }, () => anyValue(prng, depth + 1))],
    [depth < 2 ? 1 : 0, () => Object.fromEntries(Array.from({ length: prng.int(0, 3) }, () => [prng.string(prng.length(8)), anyValue(prng, depth + 1)]))],
  ])();
}

/** `value` with one field replaced, removed, added or recased somewhere inside. */
export function mutateValue(prng: Prng, value: Json): Json {
  if (value === null || typeof value !== 'object' || prng.chance(0.15)) return prng.chance(0.5) ? anyValue(prng) : value;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && prng.chance(0.7)) {
      const i = prng.int(0, copy.length - 1);
      copy[i] = mutateValue(prng, copy[i]!);
    } else copy.push(anyValue(prng));
    return copy;
  }
  const copy: { [k: string]: Json } = { ...value };
  const keys = Object.keys(copy);
  const op = prng.int(0, 3);
  if (keys.length === 0 || op === 0) copy[prng.pick([prng.string(prng.length(10)), '__proto__', 'constructor', 'toString'])] = anyValue(prng);
  else {
    const k = prng.pick(keys);
    if (op === 1) delete copy[k];
    else if (op === 2) copy[k] = mutateValue(prng, copy[k]!);
    else {
      const v = copy[k]!;
      delete copy[k];
      copy[prng.chance(0.5) ? k.toLowerCase() : k.toUpperCase()] = v;
    }
  }
  return copy;
}

/** Bytes of a body: the JSON of `value`, mutated or broken in one of many ways. */
export function body(prng: Prng, value: Json): Buffer {
  const text = JSON.stringify(value);
  return prng.weighted<() => Buffer>([
    [6, () => Buffer.from(text + (prng.chance(0.5) ? '\n' : ''))],
    [4, () => Buffer.from(JSON.stringify(mutateValue(prng, value)))],
    [2, () => Buffer.from(text.slice(0, prng.int(0, Math.max(0, text.length - 1))))], // truncated JSON
    [1, () => Buffer.alloc(0)],
    [1, () => prng.bytes(prng.length(200))],
    [1, () => Buffer.from(text + prng.string(prng.int(1, 10)))], // trailing garbage
    [1, () => Buffer.from('['.repeat(prng.int(1000, 200_000)) + ']'.repeat(prng.chance(0.5) ? 0 : 3))], // deep nesting
    [1, () => Buffer.from(`{"a":"${'\\u0000'.repeat(prng.int(1, 100))}","${prng.string(5)}":${'1'.repeat(prng.int(300, 400))}}`)],
    [0.2, () => Buffer.alloc(prng.int(1_000_000, 4_000_000), 0x20)], // around and above the body limit
    [0.2, () => Buffer.from(JSON.stringify({ ...(value as object), pad: 'p'.repeat(prng.int(900_000, 1_100_000)) }))],
  ])();
}

export type { Json };
