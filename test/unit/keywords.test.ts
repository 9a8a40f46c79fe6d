/** The consent keyword matcher: what it must catch, and what it must leave to the bot. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KEYWORDS, matchKeyword } from '../../workflows/consent/keywords';
import { resolveConsentPolicy } from '../../workflows/consent/policy';
import { policyFor } from '../../server/consent';

const kind = (text: string, optedOut = false) => matchKeyword(text, DEFAULT_KEYWORDS, { optedOut })?.kind ?? null;

void describe('the keyword matcher', () => {
  void it('catches every default keyword, whatever the case, spacing and punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop. ', 'STOP!!', 'Stopall', 'unsubscribe', 'Cancel', 'end', 'QUIT']) {
      assert.equal(kind(text), 'opt-out', text);
    }
    for (const text of ['revoke', 'OPTOUT', 'opt out', 'Opt-Out', 'arrêt', 'ARRET'])
      assert.equal(kind(text), 'opt-out', text);
    for (const text of ['START', 'unstop', 'Start.']) assert.equal(kind(text), 'opt-in', text);
    for (const text of ['HELP', 'help?', 'Info']) assert.equal(kind(text), 'help', text);
  });

  void it('catches the FCC revocation words inside a short message', () => {
    for (const text of ['please stop', 'stop texting me', 'Stop it please', 'unsubscribe me', 'I want to opt out']) {
      assert.equal(kind(text), 'opt-out', text);
    }
  });

  void it('leaves long messages, negations and ordinary words to the bot', () => {
    for (const text of [
      "don't stop the music, it's my favourite song",
      "don't stop",
      'never quit',
      'I will not cancel',
      'what time does the shop stop taking orders today?',
      'stopping by later',
      'the weekend',
      'helpful, thanks',
      'hi',
      '',
    ]) {
      assert.equal(kind(text), null, text);
    }
  });

  void it('counts YES as opt-in only for a contact who is opted out', () => {
    assert.equal(kind('yes'), null);
    assert.equal(kind('Yes!', true), 'opt-in');
    assert.equal(kind('START'), 'opt-in', 'START always counts');
  });

  void it('uses a number’s own keyword lists and answers, else its application’s, else the defaults', () => {
    const settings = {
      scope: 'number' as const,
      accountId: '9900000',
      programName: 'Acme',
      overrides: {
        '+19195550100': { help: ['AIDE'], helpReply: 'Acme: call us.' },
        'app:shop': { programName: 'Shop' },
      },
    };
    const number = policyFor(settings, { ourNumber: '+19195550100', applicationId: 'shop' });
    assert.deepEqual(
      [number.scope, number.keywords.help, number.replies.help],
      ['number:+19195550100', ['AIDE'], 'Acme: call us.'],
    );
    assert.equal(matchKeyword('aide', number.keywords, { optedOut: false })?.kind, 'help');
    assert.equal(matchKeyword('help', number.keywords, { optedOut: false }), null, 'the list replaces the default');
    const app = policyFor(settings, { ourNumber: '+19195550199', applicationId: 'shop' });
    assert.match(app.replies.optOut, /^Shop: /);
    assert.deepEqual(app.keywords, DEFAULT_KEYWORDS);
    assert.match(resolveConsentPolicy('account:1', 'Threadline').replies.help, /^Threadline: reply STOP/);
  });
});
