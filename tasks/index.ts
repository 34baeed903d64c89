/**
 * The registry of task kinds: `uses:` name -> kind. Kinds load their heavy SDKs lazily, inside
 * run/undo, so importing this registry stays cheap.
 */
import { azureAksKind } from './azure-aks.js';
import { githubRepoKind } from './github-repo.js';
import { helmKind } from './helm.js';
import { httpCheckKind } from './http-check.js';
import type { TaskKind } from './kind.js';
import { kubernetesKind } from './kubernetes.js';
import { noopKind } from './noop.js';
import { ociCheckKind } from './oci-check.js';
import { portFreeKind } from './port-free.js';
import { prereqsKind } from './prereqs.js';

const all: TaskKind[] = [prereqsKind, portFreeKind, httpCheckKind, ociCheckKind, kubernetesKind, azureAksKind, githubRepoKind, helmKind, noopKind];

export const kinds: ReadonlyMap<string, TaskKind> = new Map(all.map((k) => [k.name, k]));
