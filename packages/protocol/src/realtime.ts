// Socket.IO namespaces shared by engine, agent, WebUI and simulator (agent-protocol.md §5, api.md).

export const AGENT_NAMESPACE = '/agent';
export const OPERATOR_NAMESPACE = '/operator';
export const SOCKET_IO_PATH = '/socket.io';
