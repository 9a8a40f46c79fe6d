/**
 * The phone page: pick or add a handset, open a thread with the bot (or a group with other handsets), text it or
 * attach an image, and watch the replies arrive with their status. Everything comes from the emulator that serves
 * this page; changes arrive on its event stream, so nothing polls.
 */
import { listen, loadMessages, loadOverview, putHandset, readAsDataUrl, sendText } from './api.js';
import { Threads } from './threads.js';
import {
  handsetLabel,
  renderConversation,
  renderHandsets,
  renderNewThread,
  renderThreads,
  showProblem,
} from './view.js';

const $ = (id) => document.getElementById(id);

const state = {
  ourNumbers: [],
  handsets: [],
  maxRecipients: 10,
  phone: undefined,
  threadKey: undefined,
};
const threads = new Threads();

const nameOf = (phone) => {
  const handset = state.handsets.find((h) => h.phone === phone);
  return handset ? handsetLabel(handset) : phone;
};

function render() {
  renderHandsets(state.handsets, state.phone, pickHandset);
  const list = state.phone && threads.loaded(state.phone) ? threads.list(state.phone) : undefined;
  renderThreads(list, state.threadKey, nameOf, pickThread);
  renderNewThread(state.phone, state.ourNumbers, state.handsets, state.maxRecipients);
  renderOpenThread();
}

function renderOpenThread() {
  const entry = state.phone && state.threadKey ? threads.thread(state.phone, state.threadKey) : undefined;
  renderConversation(entry, entry ? threads.messages(state.phone, entry.key) : [], nameOf);
}

/** Runs an action, showing what went wrong instead of failing silently. */
async function attempt(action) {
  try {
    showProblem(undefined);
    await action();
  } catch (err) {
    showProblem(err instanceof Error ? err.message : String(err));
  }
}

async function pickHandset(phone) {
  state.phone = phone;
  state.threadKey = undefined;
  threads.track(phone);
  await attempt(async () => threads.load(phone, await loadMessages(phone)));
  state.threadKey = threads.list(phone)[0]?.key;
  render();
}

function pickThread(key) {
  state.threadKey = key;
  render();
  $('composer-text').focus();
}

$('new-handset').addEventListener('submit', (event) => {
  event.preventDefault();
  const phone = $('new-handset-phone').value.trim();
  void attempt(async () => {
    const handset = await putHandset(phone, $('new-handset-name').value.trim());
    state.handsets = [...state.handsets.filter((h) => h.phone !== phone), handset];
    $('new-handset-name').value = '';
    $('new-handset-phone').value = suggestNumber();
    await pickHandset(phone);
  });
});

$('new-thread').addEventListener('submit', (event) => {
  event.preventDefault();
  const members = [...event.currentTarget.querySelectorAll('input[name=member]:checked')].map((i) => i.value);
  const ourNumbers = members.filter((m) => state.ourNumbers.includes(m)).sort();
  const otherHandsets = members.filter((m) => !state.ourNumbers.includes(m)).sort();
  if (ourNumbers.length === 0) return showProblem('A thread needs one of our numbers: the bot only hears those.');
  if (members.length > state.maxRecipients) {
    return showProblem(`A group has at most ${state.maxRecipients} recipients; ${members.length} are ticked.`);
  }
  showProblem(undefined);
  state.threadKey = threads.open({ handset: state.phone, ourNumbers, otherHandsets });
  render();
  $('composer-text').focus();
});

$('composer-image').addEventListener('change', (event) => {
  const file = event.currentTarget.files[0];
  $('composer-attachment').textContent = file ? `Attached ${file.name}` : '';
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});

$('composer-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    void send();
  }
});

async function send() {
  const entry = threads.thread(state.phone, state.threadKey);
  const textBox = $('composer-text');
  const imageInput = $('composer-image');
  const text = textBox.value;
  const file = imageInput.files[0];
  if (!entry || (!text.trim() && !file)) return;
  await attempt(async () => {
    const media = file ? [await attachment(file)] : [];
    await sendText(state.phone, [...entry.thread.ourNumbers, ...entry.thread.otherHandsets], text, media);
    textBox.value = '';
    imageInput.value = '';
    $('composer-attachment').textContent = '';
  });
}

/** The handset API's media item: the file's name, type and bytes (base64). */
async function attachment(file) {
  const dataUrl = await readAsDataUrl(file);
  return { filename: file.name, contentType: file.type || 'application/octet-stream', content: dataUrl.split(',')[1] };
}

/** A number of the emulator's fictional 555 range that no handset has yet. */
function suggestNumber() {
  const taken = new Set(state.handsets.map((h) => h.phone));
  for (let n = 123; n < 10_000; n += 1) {
    const phone = `+1919555${String(n).padStart(4, '0')}`;
    if (!taken.has(phone) && !state.ourNumbers.includes(phone)) return phone;
  }
  return '';
}

function received(message) {
  if (!state.handsets.some((h) => h.phone === message.phone)) {
    state.handsets = [...state.handsets, { phone: message.phone, name: null }];
  }
  threads.upsert(message);
  if (message.phone === state.phone && message.direction === 'sent' && !state.threadKey) {
    state.threadKey = message.threadId;
  }
  render();
}

async function start() {
  const overview = await loadOverview();
  state.ourNumbers = overview.ourNumbers;
  state.handsets = overview.handsets;
  state.maxRecipients = overview.maxRecipients;
  $('new-handset-phone').value = suggestNumber();
  render();
  listen({
    onMessage: received,
    // After a reconnect, read the open handset again: changes made while the stream was down were not sent.
    onOpen: () => {
      if (state.phone)
        void attempt(async () => threads.load(state.phone, await loadMessages(state.phone))).then(render);
      document.body.dataset.live = 'true';
    },
  });
}

void attempt(start);
