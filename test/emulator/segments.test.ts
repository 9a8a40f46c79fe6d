import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SegmentedMessage } from 'sms-segments-calculator';
import { isGsm7, segmentCount, smsSegmentInfo } from '../../bandwidth/segments';

const rep = (s: string, n: number) => s.repeat(n);

void describe('segment counting', () => {
  void it('matches every worked example of the reference (§6)', () => {
    const cases: [string, 'GSM-7' | 'UCS-2', number, number][] = [
      ['Hello world', 'GSM-7', 11, 1],
      [rep('a', 160), 'GSM-7', 160, 1],
      [rep('a', 161), 'GSM-7', 161, 2],
      [rep('a', 306), 'GSM-7', 306, 2],
      [rep('a', 307), 'GSM-7', 307, 3],
      [rep('a', 2048), 'GSM-7', 2048, 14],
      [rep('a', 159) + '€', 'GSM-7', 161, 2],
      [rep('a', 152) + '€' + rep('a', 152), 'GSM-7', 306, 3],
      ['café', 'GSM-7', 4, 1],
      ['It’s here', 'UCS-2', 9, 1],
      ['Hi 😀', 'UCS-2', 5, 1],
      [rep('á', 70), 'UCS-2', 70, 1],
      [rep('á', 71), 'UCS-2', 71, 2],
      [rep('á', 134), 'UCS-2', 134, 2],
      [rep('á', 135), 'UCS-2', 135, 3],
      [rep('á', 66) + '😀' + rep('á', 66), 'UCS-2', 134, 3],
      [rep('á', 2048), 'UCS-2', 2048, 31],
    ];
    for (const [text, encoding, units, segments] of cases) {
      const info = smsSegmentInfo(text);
      assert.deepEqual([info.encoding, info.units, info.segments], [encoding, units, segments], text.slice(0, 20));
    }
  });

  void it('counts extension characters twice and keeps ç out of GSM-7', () => {
    assert.equal(smsSegmentInfo('{}[]~^|\\€').units, 18);
    assert.equal(isGsm7('Ç'), true);
    assert.equal(isGsm7('ç'), false);
  });

  void it('makes MMS and group messages one segment whatever the text', () => {
    assert.equal(segmentCount({ text: rep('a', 900), to: ['+19195550123'], media: ['https://x.test/a.png'] }), 1);
    assert.equal(segmentCount({ text: rep('a', 900), to: ['+19195550123', '+19195550124'] }), 1);
    assert.equal(segmentCount({ text: rep('a', 900), to: ['+19195550123'] }), 6);
    assert.equal(segmentCount({ to: ['+19195550123'], media: [] }), 1);
  });

  void it('agrees with sms-segments-calculator on thousands of random texts', () => {
    const alphabet = ['a', 'Z', ' ', '€', '{', '\n', 'é', 'Ä', '@', 'ç', 'á', '😀', '’', '漢', '|'];
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const pool = rnd() < 0.5 ? alphabet.slice(0, 9) : alphabet;
      let text = '';
      const length = 1 + Math.floor(rnd() * 450);
      for (let j = 0; j < length; j++) text += pool[Math.floor(rnd() * pool.length)];
      const theirs = new SegmentedMessage(text);
      const ours = smsSegmentInfo(text);
      assert.equal(ours.segments, theirs.segmentsCount, JSON.stringify(text));
      assert.equal(ours.encoding === 'GSM-7', theirs.encodingName === 'GSM-7', JSON.stringify(text));
      compared += 1;
    }
    assert.equal(compared, 2000);
  });
});
