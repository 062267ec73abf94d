/** canonicalJson and contentDigest: key order never matters, values always do. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentDigest } from '../../server/compiler/index.js';

describe('canonicalJson', () => {
  it.each<[string, unknown, string]>([
    ['sorts keys', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['sorts nested keys', { z: { y: 1, x: [{ d: 1, c: 2 }] } }, '{"z":{"x":[{"c":2,"d":1}],"y":1}}'],
    ['keeps list order', [3, 1, 2], '[3,1,2]'],
    ['drops undefined members', { a: undefined, b: null }, '{"b":null}'],
    ['undefined in a list is null', [undefined], '[null]'],
    ['escapes strings', { 'k"': 'v\n' }, '{"k\\"":"v\\n"}'],
    ['scalars', 'x', '"x"'],
  ])('%s', (_title, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    // Canonical JSON is still JSON.
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
  });
});

describe('contentDigest', () => {
  it('is sha256 hex', () => {
    expect(contentDigest({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('ignores key order', () => {
    expect(contentDigest({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(contentDigest({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });

  it.each<[string, unknown]>([
    ['a changed value', { a: 2, b: { c: [1, 2], d: 'x' } }],
    ['a changed type', { a: '1', b: { c: [1, 2], d: 'x' } }],
    ['reordered list', { a: 1, b: { c: [2, 1], d: 'x' } }],
    ['an added key', { a: 1, b: { c: [1, 2], d: 'x', e: null } }],
  ])('changes on %s', (_title, value) => {
    expect(contentDigest(value)).not.toBe(contentDigest({ a: 1, b: { c: [1, 2], d: 'x' } }));
  });
});
