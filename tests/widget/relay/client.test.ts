import { expect } from '@open-wc/testing';
import { RelayRequestError, relayBase, relayFetch } from '../../../widget/relay/client.ts';

describe('relay client', () => {
  it('uses the page origin when no server is given, and trims a trailing slash', () => {
    expect(relayBase(null)).to.equal(window.location.origin);
    expect(relayBase('https://relay.example/')).to.equal('https://relay.example');
  });

  it('turns an unreachable relay into an error that names the server', async () => {
    const error = await relayFetch('http://127.0.0.1:9', '/v1/health').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RelayRequestError);
    expect((error as RelayRequestError).code).to.equal('network');
    expect((error as Error).message).to.contain('127.0.0.1:9');
  });
});
