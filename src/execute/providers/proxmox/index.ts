export { ProxmoxClient, type CloneOptions, type ProxmoxClientOptions, type VmConfigUpdate, type WaitOptions } from './client.js';
export { API_TOKEN_PATTERN, parseProxmoxConfig, ProxmoxConfigSchema, proxmoxConfigFromEnv, type ProxmoxConfig, type ProxmoxConfigInput } from './config.js';
export { ProxmoxApiError, ProxmoxTaskError, type ProxmoxErrorKind } from './errors.js';
export { inventoryDataFromResources, ProxmoxInventory, proxmoxInventory, type ProxmoxInventoryData } from './inventory.js';
export type { ClusterResource, NodeSummary, QemuSummary, StorageStatus, TaskStatus, VmConfig } from './schemas.js';
export { nodeHttpTransport, TransportError, type HttpRequest, type HttpResponse, type HttpTransport } from './transport.js';
