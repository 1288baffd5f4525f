import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MapStore } from 'nanostores';
import type { LiveShopState } from '../events.ts';
import type { RoomState } from '../state/room.ts';
import { createPlayer, type TransportPreference } from './create-player.ts';
import { HlsPlayer } from './hls-player.ts';
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
  /** The show's recording is playing (or starting), not the live show. */
  private replaying = false;
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
    this.replaying = false;
    this.stopPlayer();
    this.reconcile(this.options.store.get());
  }

  /** Plays the ended show's recording, with sound: the shopper asked for it with a tap. */
  playReplay(url: string): void {
    this.stopPlayer();
    this.replaying = true;
    this.muted = false;
    this.startPlayer(new HlsPlayer(url));
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
      this.replaying = false;
      this.stopPlayer();
      return this.set('idle');
    }
    if (status === 'ended') {
      if (this.replaying) return;
      this.stopPlayer();
      return this.set('ended');
    }
    // The next show began while its predecessor's replay played: the live show wins.
    if (this.replaying) {
      this.replaying = false;
      this.stopPlayer();
    }
    if (!this.player && this.state !== 'error') this.startPlayer(createPlayer(this.options.preference));
  }

  private startPlayer(player: Player): void {
    const generation = ++this.generation;
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
        if (this.options.store.get().info?.status === 'ended' && !this.replaying) return this.set('ended');
        this.apply({ kind: 'error', code: error.code ?? 'start_failed', message: error.message, fatal: true, fallback: true });
      });
  }

  private apply(status: PlayerStatus): void {
    switch (status.kind) {
      case 'connecting':
        return this.set('connecting');
      case 'playing':
        return this.set(this.replaying ? 'replay' : 'live');
      case 'buffering':
      case 'reconnecting':
        // A replay that waits for data goes on showing its own controls and spinner.
        return this.replaying ? undefined : this.set(status.kind);
      case 'ended':
        // A replay played to its end goes back to the ended show, where it can be watched again.
        this.stopPlayer();
        this.replaying = false;
        return this.set('ended');
      case 'error':
        if (!status.fatal) return;
        this.stopPlayer();
        // The relay is the authority on whether the show is over: a lost connection at the very
        // moment the host ends the show is an ending, not an error.
        if (this.replaying) return this.set('error', 'The replay could not be played. Try again in a moment.');
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
