/**
 * Creates the Azure credential and the ARM clients of the `azure-aks` kind. The SDKs are
 * loaded here, with `await import(...)`, only when a task actually talks to Azure.
 */
import type { TokenCredential } from '@azure/identity';
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { AksConfig } from './aks-config.js';
import { importExternal } from '../../runner/external.js';

/**
 * Extra options handed to both ARM clients (`@azure/core-client` ServiceClientOptions), for
 * example `{ agent }` with a custom CA in tests, or `{ retryOptions }`.
 */
export type ArmClientOptions = Record<string, unknown>;

export interface ArmClients {
  resources: ResourceManagementClient;
  aks: ContainerServiceClient;
}

/** The credential named by `with.credential`. */
export async function createCredential(kind: AksConfig['credential']): Promise<TokenCredential> {
  const identity = await importExternal<typeof import('@azure/identity')>('@azure/identity');
  switch (kind) {
    case 'cli':
      return new identity.AzureCliCredential();
    case 'environment':
      return new identity.EnvironmentCredential();
    default:
      return new identity.DefaultAzureCredential();
  }
}

/** Both ARM clients, pointed at the configured endpoint. */
export async function createArmClients(cfg: AksConfig, extra: ArmClientOptions = {}): Promise<ArmClients> {
  const [credential, resourcesMod, aksMod] = await Promise.all([
    createCredential(cfg.credential),
    importExternal<typeof import('@azure/arm-resources')>('@azure/arm-resources'),
    importExternal<typeof import('@azure/arm-containerservice')>('@azure/arm-containerservice'),
  ]);
  const options = { ...extra, endpoint: cfg.endpoint, $host: cfg.endpoint };
  return {
    resources: new resourcesMod.ResourceManagementClient(credential, cfg.subscriptionId, options),
    aks: new aksMod.ContainerServiceClient(credential, cfg.subscriptionId, options),
  };
}
