import type { ServerExtension } from './station-server.js';
import type { WsHub } from './ws-hub.js';

/** Mounts a WsHub at /ws on the Station server. */
export function wsExtension(hub: WsHub): ServerExtension {
  return {
    operations: [
      {
        method: 'GET',
        path: '/ws',
        operationId: 'websocket',
        summary: 'WebSocket of run events (Upgrade: websocket).',
        description:
          'Send {"type":"subscribe","scope":"all"|"environment"|"run", "environment"?, "runId"?, "afterSeq"?, "resume"?: {runId: lastSeq}}. ' +
          'Run events arrive exactly as `stn agent run --json` prints them; control messages have types starting with "ws.".',
        tag: 'events',
        responses: { 101: { description: 'Switching protocols.' }, 401: { description: 'Missing or invalid key.' } },
      },
    ],
    upgrade: (req, socket, head, principal) => {
      if ((req.url ?? '').split('?')[0] !== '/ws') return false;
      hub.handleUpgrade(req, socket, head, principal);
      return true;
    },
    ready: async () => ({ ok: true, websocket: { ok: true, clients: hub.clientCount } }),
    close: () => hub.close(),
  };
}
