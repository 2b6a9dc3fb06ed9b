/**
 * The page at /portal/ and the chat socket live on the core's HTTP server, i.e. on the nodes that run
 * the API gateway ("api" service). This finds the local gateway, adds the /portal route to it
 * (moleculer-web's addRoute) and hands its server to the chat hub. On a node without a gateway the
 * plugin still delivers and serves the /api/portal actions through the gateway nodes, but the page
 * and the socket are served only where a gateway runs: run channel-web on every gateway node.
 */
import type { Server } from 'node:http';
import type { ServiceBroker } from 'moleculer';

interface GatewayLike {
  server?: Server;
  addRoute?: (opts: Record<string, unknown>, toBottom?: boolean) => unknown;
}

export const PAGE_ROUTE = '/portal';

export function localGateway(broker: ServiceBroker): GatewayLike | null {
  try {
    const api = broker.getLocalService('api') as unknown as GatewayLike | undefined;
    return api?.server && typeof api.addRoute === 'function' ? api : null;
  } catch {
    return null;
  }
}

/** Adds the /portal route to the local gateway; its server, or null when this node has no gateway. */
export function attachPage(broker: ServiceBroker, assetAction: string): Server | null {
  const api = localGateway(broker);
  if (!api) return null;
  api.addRoute!({
    name: 'portal-page',
    path: PAGE_ROUTE,
    authentication: false,
    authorization: false,
    autoAliases: false,
    mappingPolicy: 'restrict',
    bodyParsers: { json: false, urlencoded: false },
    aliases: { 'GET /': assetAction, 'GET /:file': assetAction },
  }, true);
  return api.server!;
}
