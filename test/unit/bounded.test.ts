/** The runtime's bounded collections: what a years-long conversation remembers stays the newest N entries. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap, RecentSet } from '../../workflows/runtime/bounded';

void describe('BoundedMap', () => {
  void it('forgets the oldest entries beyond its limit, and says which', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string, number>(2, [], (key) => evicted.push(key));
    map.set('s1', 1).set('s2', 2).set('s3', 3);
    assert.deepEqual(map.toJSON(), [
      ['s2', 2],
      ['s3', 3],
    ]);
    assert.deepEqual(evicted, ['s1']);
    assert.equal(map.get('s1'), undefined);
  });

  void it('starts from carried entries, trimmed to its limit', () => {
    const map = new BoundedMap<string, number>(2, [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    assert.deepEqual([...map.values()], [2, 3]);
    assert.equal(map.size, 2);
  });
});

void describe('RecentSet', () => {
  void it('reports a duplicate within its window and forgets keys that fall out of it', () => {
    const seen = new RecentSet(2, ['m1']);
    assert.equal(seen.add('m1'), false, 'm1 was carried over');
    assert.equal(seen.add('m2'), true);
    assert.equal(seen.add('m3'), true);
    assert.deepEqual(seen.toJSON(), ['m2', 'm3']);
    assert.equal(seen.add('m1'), true, 'm1 fell out of the window');
  });
});
