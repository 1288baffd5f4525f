import { AccessToken, RoomServiceClient, TrackSource, WebhookReceiver, type VideoGrant, type WebhookEvent } from 'livekit-server-sdk';
import type { LiveKitConfig } from '../config.ts';
import { startDevServer, type DevServer } from './dev-server.ts';
import { randomUUID } from 'node:crypto';

export const HOST_IDENTITY_PREFIX = 'host:';
export const VIEWER_IDENTITY_PREFIX = 'viewer:';
/** The relay's own subscriber that feeds the LL-HLS encoder. */
export const INGEST_IDENTITY_PREFIX = 'ingest:';

export interface MintedToken {
  token: string;
  identity: string;
  livekitUrl: string;
  expiresAt: number;
}

/** The relay's view of LiveKit: tokens with the right grants, webhook verification, room control. */
export class LiveKit {
  private readonly rooms: RoomServiceClient;
  private readonly receiver: WebhookReceiver;

  private constructor(
    readonly url: string,
    private readonly apiKey: string,
    private readonly apiSecret: string,
    private readonly devServer: DevServer | null,
  ) {
    this.rooms = new RoomServiceClient(url.replace(/^ws/, 'http'), apiKey, apiSecret);
    this.receiver = new WebhookReceiver(apiKey, apiSecret);
  }

  /** Uses the configured LiveKit, or starts the local dev server when none is configured. */
  static async connect(config: LiveKitConfig, webhookUrl: string): Promise<LiveKit> {
    if (config.url) return new LiveKit(config.url.replace(/^http/, 'ws'), config.apiKey, config.apiSecret, null);
    if (!config.serverBin) {
      throw new Error('LIVEKIT_URL is not set and LIVEKIT_SERVER_BIN does not name a livekit-server binary (run scripts/setup.sh)');
    }
    const dev = await startDevServer({ bin: config.serverBin, webhookUrl });
    return new LiveKit(dev.url, dev.apiKey, dev.apiSecret, dev);
  }

  /** Subscribe-only, hidden (not announced to other participants), anonymous and short-lived. */
  async viewerToken(room: string, ttlSeconds: number): Promise<MintedToken> {
    const identity = `${VIEWER_IDENTITY_PREFIX}${randomUUID()}`;
    return this.mint(identity, ttlSeconds, {
      roomJoin: true,
      room,
      canSubscribe: true,
      canPublish: false,
      canPublishData: false,
      canUpdateOwnMetadata: false,
      hidden: true,
    });
  }

  /** The relay's HLS ingest: subscribe-only and hidden, so no one sees it and it is not a viewer. */
  async ingestToken(room: string, ttlSeconds = 3600): Promise<MintedToken> {
    return this.mint(`${INGEST_IDENTITY_PREFIX}${room}`, ttlSeconds, {
      roomJoin: true,
      room,
      canSubscribe: true,
      canPublish: false,
      canPublishData: false,
      canUpdateOwnMetadata: false,
      hidden: true,
    });
  }

  /** The one identity that may publish camera and microphone in a room. */
  async hostToken(room: string, ttlSeconds: number): Promise<MintedToken> {
    return this.mint(`${HOST_IDENTITY_PREFIX}${room}`, ttlSeconds, {
      roomJoin: true,
      room,
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
    });
  }

  private async mint(identity: string, ttlSeconds: number, grant: VideoGrant): Promise<MintedToken> {
    const token = new AccessToken(this.apiKey, this.apiSecret, { identity, ttl: ttlSeconds });
    token.addGrant(grant);
    return { token: await token.toJwt(), identity, livekitUrl: this.url, expiresAt: Date.now() + ttlSeconds * 1000 };
  }

  /** Verifies the JWT in `Authorization` against the body's hash; throws if it does not match. */
  receiveWebhook(body: string, authorization: string | undefined): Promise<WebhookEvent> {
    return this.receiver.receive(body, authorization);
  }

  /** Disconnects everyone in the room; a room that does not exist is already closed. */
  async closeRoom(room: string): Promise<void> {
    try {
      await this.rooms.deleteRoom(room);
    } catch (error) {
      if (!/not ?found|404/i.test(String((error as Error).message))) throw error;
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.rooms.listRooms([]);
      return true;
    } catch {
      return false;
    }
  }

  /** The local dev server this relay started and supervises, if it started one. */
  get localServer(): DevServer | null {
    return this.devServer;
  }

  async stop(): Promise<void> {
    await this.devServer?.stop();
  }
}
