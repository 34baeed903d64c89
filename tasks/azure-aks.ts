/**
 * The `azure-aks` task kind: an AKS cluster, created (with its resource group) when missing or
 * required to exist, whose user credentials are merged into a kubeconfig file as their own
 * context. Observes first and acts only on drift; notes what it is about to create before
 * creating it, so undo deletes exactly what this run created (cluster, then resource group,
 * then the kubeconfig entries it added) and never anything that was there before.
 */
import { TaskError, type KindResult, type TaskContext, type TaskKind, type UndoInput } from './kind.js';
import { aksOutputs, aksSchema, resolveAksConfig, validateAksWith, type AksConfig, type AksWith } from './azure/aks-config.js';
import { createArmClients, type ArmClientOptions } from './azure/arm-clients.js';
import {
  deleteCluster,
  deleteResourceGroup,
  ensureCluster,
  ensureResourceGroup,
  fetchUserKubeconfig,
  getCluster,
  requireExistingCluster,
  step,
  type AksOps,
} from './azure/aks-cluster.js';
import { hasContext, planMerge, planRemoval, readKubeconfig, writeFileAtomic, type KubeconfigEntries } from './azure/kubeconfig.js';

export type { AksWith } from './azure/aks-config.js';

/** Options of {@link createAzureAksKind}. */
export interface AzureAksKindOptions {
  /** Extra options for the ARM clients (e.g. `{ agent }` trusting a test CA). */
  clientOptions?: ArmClientOptions;
}

/** Notes the kind journals (ctx.remember) for undo. */
interface AksNotes {
  createdCluster?: boolean;
  createdResourceGroup?: boolean;
  subscriptionId?: string;
  resourceGroup?: string;
  name?: string;
  endpoint?: string;
  kubeconfigPath?: string;
  mergedContext?: string;
  kubeconfigAdded?: KubeconfigEntries;
}

/** Builds the `azure-aks` kind. */
export function createAzureAksKind(options: AzureAksKindOptions = {}): TaskKind<AksWith> {
  const connect = async (cfg: AksConfig, ctx: TaskContext): Promise<AksOps> => {
    const secret = ctx.env.AZURE_CLIENT_SECRET ?? process.env.AZURE_CLIENT_SECRET;
    if (secret) ctx.secret(secret);
    const clients = await createArmClients(cfg, options.clientOptions);
    return { cfg, clients, ctx };
  };

  return {
    name: 'azure-aks',
    description: 'An AKS cluster (created with its resource group when missing, or existing), merged into a kubeconfig as its own context',
    schema: aksSchema,
    outputs: aksOutputs,
    validate: validateAksWith,

    async satisfied(w, ctx) {
      const cfg = resolveAksConfig(w, ctx);
      const ops = await connect(cfg, ctx);
      const cluster = await step(ops, `reading AKS cluster ${cfg.name}`, () => getCluster(ops));
      if (cluster?.provisioningState?.toLowerCase() !== 'succeeded') return false;
      return hasContext(await readKubeconfig(cfg.kubeconfig), cfg.contextName);
    },

    async run(w, ctx): Promise<KindResult> {
      const cfg = resolveAksConfig(w, ctx);
      const ops = await connect(cfg, ctx);
      let createdResourceGroup = false;
      let createdCluster = false;
      const cluster =
        cfg.mode === 'create'
          ? await (async () => {
              createdResourceGroup = await ensureResourceGroup(ops);
              const r = await ensureCluster(ops);
              createdCluster = r.created;
              return r.cluster;
            })()
          : await requireExistingCluster(ops);
      const kubeconfigText = await fetchUserKubeconfig(ops);
      await mergeKubeconfig(cfg, kubeconfigText, ctx);
      const outputs = {
        name: cfg.name,
        resourceGroup: cfg.resourceGroup,
        region: cluster.location ?? cfg.region,
        subscriptionId: cfg.subscriptionId,
        kubeContext: cfg.contextName,
        fqdn: cluster.fqdn ?? cluster.privateFqdn ?? '',
        kubernetesVersion: cluster.currentKubernetesVersion ?? cluster.kubernetesVersion ?? '',
        provisioningState: cluster.provisioningState ?? '',
        // A resumed attempt finds what an earlier (crashed) attempt created: still ours.
        createdCluster: createdCluster || ctx.remembered.createdCluster === true,
        createdResourceGroup: createdResourceGroup || ctx.remembered.createdResourceGroup === true,
      };
      const summary = createdCluster
        ? `created AKS cluster ${cfg.name}${createdResourceGroup ? ` and resource group ${cfg.resourceGroup}` : ''}; context ${cfg.contextName} in ${cfg.kubeconfig}`
        : `AKS cluster ${cfg.name} already exists; context ${cfg.contextName} in ${cfg.kubeconfig}`;
      return { outputs, summary };
    },

    async undo(input: UndoInput<AksWith>, ctx) {
      const notes = input.state as AksNotes;
      if (notes.createdCluster || notes.createdResourceGroup) {
        const cfg = resolveAksConfig(
          {
            ...input.with,
            subscriptionId: notes.subscriptionId ?? input.with.subscriptionId,
            resourceGroup: notes.resourceGroup ?? input.with.resourceGroup,
            name: notes.name ?? input.with.name,
            endpoint: notes.endpoint ?? input.with.endpoint,
          },
          ctx,
        );
        const ops = await connect(cfg, ctx);
        if (notes.createdCluster) {
          const r = await deleteCluster(ops);
          ctx.log('info', r === 'deleted' ? `deleted AKS cluster ${cfg.name}` : `AKS cluster ${cfg.name} was already gone`);
        }
        if (notes.createdResourceGroup) {
          const r = await deleteResourceGroup(ops);
          ctx.log('info', r === 'deleted' ? `deleted resource group ${cfg.resourceGroup}` : `resource group ${cfg.resourceGroup} was already gone`);
        }
      }
      if (notes.kubeconfigAdded && notes.kubeconfigPath) {
        await removeKubeconfigEntries(notes.kubeconfigPath, notes.kubeconfigAdded, ctx);
      }
    },
  };
}

/** The `azure-aks` kind as the product uses it. */
export const azureAksKind: TaskKind<AksWith> = createAzureAksKind();

/** Merges the cluster's kubeconfig; notes the entries it adds before writing them. */
async function mergeKubeconfig(cfg: AksConfig, incoming: string, ctx: TaskContext): Promise<void> {
  const current = await readKubeconfig(cfg.kubeconfig);
  const plan = planMerge(current, incoming, cfg.contextName);
  for (const s of plan.secrets) ctx.secret(s);
  const addsAny = plan.added.clusters.length + plan.added.users.length + plan.added.contexts.length > 0;
  // Only positive facts are noted: a retry that finds the entries in place must not erase
  // the note of the attempt that added them.
  if (addsAny) {
    await ctx.remember({ kubeconfigPath: cfg.kubeconfig, mergedContext: cfg.contextName, kubeconfigAdded: plan.added });
  }
  await writeFileAtomic(cfg.kubeconfig, plan.text);
  ctx.log('info', `merged context ${cfg.contextName} into ${cfg.kubeconfig}${plan.setCurrentContext ? ' (now the current context)' : ''}`);
}

async function removeKubeconfigEntries(path: string, entries: KubeconfigEntries, ctx: TaskContext): Promise<void> {
  let current: Record<string, unknown>;
  try {
    current = await readKubeconfig(path);
  } catch (e) {
    throw e instanceof TaskError ? e : new TaskError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  const { text, changed } = planRemoval(current, entries);
  if (!changed) return;
  await writeFileAtomic(path, text);
  ctx.log('info', `removed context ${entries.contexts.join(', ') || '(none)'} and its entries from ${path}`);
}
