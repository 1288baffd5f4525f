import { map, type MapStore } from 'nanostores';
import { onRoomEvent, type RoomState } from './room.ts';

/** As the relay sends it (server/chat), from the relay's own definition; type-only. */
export type { ChatMessage } from '../../server/chat/chat.ts';
import type { ChatMessage } from '../../server/chat/chat.ts';

export interface JoinNotice {
  names: string[];
  others: number;
  seq: number;
}

export interface ChatState {
  messages: ChatMessage[];
  /** The latest join notice, for a short "Ann and 3 others joined" line. */
  joins: JoinNotice | null;
  likes: number;
  /** Likes added by the latest `likes` event: the hearts to float up. */
  likesDelta: number;
  likesSeq: number;
  slowModeSeconds: number;
}

/** The list keeps this many messages; older ones scroll away. */
export const KEPT_MESSAGES = 100;

const chats = new WeakMap<MapStore<RoomState>, MapStore<ChatState>>();

/** A room's chat, likes and join notices, fed by the room's event stream. */
export function chatStore(room: MapStore<RoomState>): MapStore<ChatState> {
  let chat = chats.get(room);
  if (!chat) {
    chat = map<ChatState>({ messages: [], joins: null, likes: 0, likesDelta: 0, likesSeq: 0, slowModeSeconds: 0 });
    chats.set(room, chat);
  }
  return chat;
}

interface ChatSnapshot {
  chat?: { messages: ChatMessage[]; slowModeSeconds: number };
  likes?: { total: number };
}

onRoomEvent('snapshot', (event, room) => {
  const data = event.data as ChatSnapshot | null;
  if (!data) return;
  const chat = chatStore(room);
  chat.set({
    ...chat.get(),
    messages: data.chat?.messages ?? [],
    slowModeSeconds: data.chat?.slowModeSeconds ?? 0,
    likes: data.likes?.total ?? 0,
  });
});
onRoomEvent('chat', (event, room) => {
  const chat = chatStore(room);
  chat.setKey('messages', [...chat.get().messages, event.data as ChatMessage].slice(-KEPT_MESSAGES));
});
onRoomEvent('chat-delete', (event, room) => {
  const { id } = event.data as { id: string };
  const chat = chatStore(room);
  chat.setKey('messages', chat.get().messages.filter((m) => m.id !== id));
});
onRoomEvent('chat-settings', (event, room) => {
  chatStore(room).setKey('slowModeSeconds', (event.data as { slowModeSeconds: number }).slowModeSeconds);
});
onRoomEvent('likes', (event, room) => {
  const { total, delta } = event.data as { total: number; delta: number };
  const chat = chatStore(room);
  chat.set({ ...chat.get(), likes: total, likesDelta: delta, likesSeq: event.seq });
});
onRoomEvent('join', (event, room) => {
  const { names, others } = event.data as { names: string[]; others: number };
  chatStore(room).setKey('joins', { names, others, seq: event.seq });
});
