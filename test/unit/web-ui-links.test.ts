/**
 * The phone page's links to the Temporal Web UI: a thread leads to the conversation workflows/ids.ts derives for the
 * same people, so the link opens the workflow the bot is running.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webUiConversationLink } from '../../stack/web-ui-links';
import { conversationId, groupConversation } from '../../workflows/ids';

const link = webUiConversationLink('http://127.0.0.1:8233/', 'default');
const page = (id: string) => `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(id)}`;

describe('links from the phone page to the Temporal Web UI', () => {
  it("links a handset's thread with the bot to their one-to-one conversation", () => {
    const url = link({ handset: '+19195550123', ourNumbers: ['+19195550100'], otherHandsets: [] });
    assert.equal(url, page(conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] })));
    assert.equal(url, 'http://127.0.0.1:8233/namespaces/default/workflows/sms%3A%2B19195550100%3A%2B19195550123');
  });

  it('links every member of a group to the one conversation the webhook server starts for it', () => {
    const members = { ourNumbers: ['+19195550100', '+19195550101'], otherHandsets: ['+19195550177'] };
    const fromAnn = link({ handset: '+19195550123', ...members });
    const viaSecondNumber = groupConversation({
      receivedOn: '+19195550101',
      from: '+19195550123',
      recipients: ['+19195550100', '+19195550101', '+19195550177'],
      ourNumbers: ['+19195550100', '+19195550101'],
    });
    assert.equal(fromAnn, page(conversationId(viaSecondNumber)));
    const fromBen = link({ handset: '+19195550177', ourNumbers: members.ourNumbers, otherHandsets: ['+19195550123'] });
    assert.equal(fromBen, fromAnn);
  });

  it('links nothing for a thread without one of our numbers', () => {
    assert.equal(link({ handset: '+19195550123', ourNumbers: [], otherHandsets: ['+19195550177'] }), undefined);
  });

  it('puts the namespace in the path, encoded', () => {
    const url = webUiConversationLink(
      'https://temporal.example',
      'team a',
    )({
      handset: '+19195550123',
      ourNumbers: ['+19195550100'],
      otherHandsets: [],
    });
    assert.match(url ?? '', /^https:\/\/temporal\.example\/namespaces\/team%20a\/workflows\//);
  });
});
