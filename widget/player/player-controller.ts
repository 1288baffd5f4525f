import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MapStore } from 'nanostores';
import type { LiveShopState } from '../events.ts';
import type { RoomState } from '../state/room.ts';
import { createPlayer, type TransportPreference } from './create-player.ts';
import type { Player, PlayerStatus, Transport } from './player.ts';

export interface PlayerControllerOptions {
  store: MapStore<RoomState>;
  server: string;
  room: string;
  preference: TransportPreference;
  video: () => HTMLVideoElement;
  onChange(): void;
}

/**
 * Runs the show's player for one element: starts it when the relay says the room is live, turns
 * the player's reports into the element's public state, and releases it when the show ends or the
 * element leaves the page.
 */
export class PlayerController implements ReactiveController {
  state: LiveShopState = 'connecting';
  transport: Transport | null = null;
  /** What went wrong, in words a shopper understands; null when nothing did. */
  error: string | null = null;
  muted = true;
  player: Player | null = null;
  private unsubscribe: (() => void) | undefined;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: PlayerControllerOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.options.store.subscribe((room) => this.reconcile(room));
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.stopPlayer();
  }

  /** Starts over after an error (the shopper's "Try again"). */
  retry(): void {
    this.error = null;
    this.stopPlayer();
    this.reconcile(this.options.store.get());
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.options.video().muted = muted;
    this.player?.setMuted(muted);
    this.options.onChange();
  }

  private reconcile(room: RoomState): void {
    if (room.error) return this.set('error', room.error.message);
    const status = room.info?.status;
    if (!status) return this.set('connecting');
    if (status === 'scheduled') {
      this.stopPlayer();
      return this.set('idle');
    }
    if (status === 'ended') {
      this.stopPlayer();
      return this.set('ended');
    }
    if (!this.player && this.state !== 'error') this.startPlayer();
  }

  private startPlayer(): void {
    const generation = ++this.generation;
    const player = createPlayer(this.options.preference);
    this.player = player;
    this.transport = player.transport;
    this.set('connecting');
    const onStatus = (status: PlayerStatus): void => {
      if (generation !== this.generation) return;
      this.apply(status);
    };
    // The video element exists once the host has rendered.
    this.host.updateComplete
      .then(() => {
        if (generation !== this.generation) return;
        return player.start({ server: this.options.server, room: this.options.room, video: this.options.video(), muted: this.muted, onStatus });
      })
      .catch((error: Error & { code?: string }) => {
        if (generation !== this.generation) return;
        if (this.options.store.get().info?.status === 'ended') return this.set('ended');
        this.apply({ kind: 'error', code: error.code ?? 'start_failed', message: error.message, fatal: true, fallback: true });
      });
  }

  private apply(status: PlayerStatus): void {
    switch (status.kind) {
      case 'connecting':
        return this.set('connecting');
      case 'playing':
        return this.set('live');
      case 'buffering':
      case 'reconnecting':
        return this.set('reconnecting');
      case 'ended':
        this.stopPlayer();
        return this.set('ended');
      case 'error':
        if (!status.fatal) return;
        this.stopPlayer();
        // The relay is the authority on whether the show is over: a lost connection at the very
        // moment the host ends the show is an ending, not an error.
        if (this.options.store.get().info?.status === 'ended') return this.set('ended');
        return this.set('error', status.message);
    }
  }

  private stopPlayer(): void {
    this.generation += 1;
    this.player?.destroy();
    this.player = null;
  }

  private set(state: LiveShopState, error: string | null = null): void {
    this.transport = this.player?.transport ?? null;
    if (this.state === state && this.error === error) return;
    this.state = state;
    this.error = error;
    this.options.onChange();
  }
}
