/**
 * Links from the emulator's phone page to the Temporal Web UI: a thread (a handset, our numbers on it, the other
 * handsets of a group) is the conversation whose workflow id workflows/ids.ts derives from the same people. The
 * emulator knows no workflow ids; the stack hands it this function.
 */
import { type ConversationLink } from '../emulator';
import { conversationId, groupConversation } from '../workflows/ids';

/** The Web UI page of a thread's conversation: `<uiUrl>/namespaces/<namespace>/workflows/<workflow id>`. */
export function webUiConversationLink(uiUrl: string, namespace: string): ConversationLink {
  const base = uiUrl.replace(/\/+$/, '');
  return (thread) => {
    const [receivedOn] = thread.ourNumbers;
    if (!receivedOn) return undefined;
    const conversation = groupConversation({
      receivedOn,
      from: thread.handset,
      recipients: [...thread.ourNumbers, ...thread.otherHandsets],
      ourNumbers: thread.ourNumbers,
    });
    const id = conversationId(conversation);
    return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(id)}`;
  };
}
