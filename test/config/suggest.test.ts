import { describe, expect, it } from 'vitest';
import { closest, editDistance, listOf } from '../../src/config/suggest.js';

describe('did-you-mean suggestions', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('descripton', 'description')).toBe(1);
    expect(editDistance('dmi', 'dim')).toBe(1);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests only close candidates', () => {
    expect(closest('descripton', ['name', 'description', 'dim'])).toBe('description');
    expect(closest('Dim', ['dim', 'seed'])).toBe('dim');
    expect(closest('learning_rate', ['lr', 'seed'])).toBeUndefined();
    expect(closest('foo', ['lr.cov', 'dim'])).toBeUndefined();
  });

  it('lists values for messages', () => {
    expect(listOf(['a'])).toBe('"a"');
    expect(listOf(['a', 'b', 'c'])).toBe('"a", "b" or "c"');
  });
});
