/**
 * Object references as journalled for undo ("v1/Namespace/pallet",
 * "apps/v1/Deployment/pallet/registry"), and the tracker of what this task created, remembered
 * durably BEFORE each create so an interrupted run can still be undone.
 */
import type { TaskContext } from '../kind.js';
import type { ObjKey } from './client.js';

/** `apiVersion/Kind/[namespace/]name`. */
export function formatRef(k: ObjKey): string {
  return [k.apiVersion, k.kind, ...(k.namespace ? [k.namespace] : []), k.name].join('/');
}

/** Inverse of {@link formatRef}: the kind is the first segment starting with an upper-case letter. */
export function parseRef(ref: string): ObjKey {
  const parts = ref.split('/');
  const k = parts.findIndex((p) => /^[A-Z]/.test(p));
  if (k < 1 || k > 2 || parts.length - k - 1 < 1 || parts.length - k - 1 > 2) throw new Error(`malformed object reference ${JSON.stringify(ref)}`);
  const rest = parts.slice(k + 1);
  return {
    apiVersion: parts.slice(0, k).join('/'),
    kind: parts[k]!,
    ...(rest.length === 2 ? { namespace: rest[0] } : {}),
    name: rest[rest.length - 1]!,
  };
}

/** What undo needs (journalled; no secrets). */
export interface UndoState {
  created: string[];
  /** uid of each created object, so undo never deletes a same-named replacement. */
  uids: Record<string, string>;
  createdNamespace?: boolean;
}

/** Keeps the list of created objects and remembers it before every change. */
export class CreatedTracker {
  readonly created: string[];
  readonly uids: Record<string, string>;
  createdNamespace: boolean;

  constructor(private readonly ctx: TaskContext) {
    const prev = ctx.remembered as Partial<UndoState>;
    this.created = [...new Set(Array.isArray(prev.created) ? prev.created.filter((x): x is string => typeof x === 'string') : [])];
    this.uids = { ...(prev.uids && typeof prev.uids === 'object' ? prev.uids : {}) };
    this.createdNamespace = prev.createdNamespace === true;
  }

  has(ref: string): boolean {
    return this.created.includes(ref);
  }

  /** Record that `ref` is about to be created (durable before the POST). */
  async willCreate(ref: string, opts: { namespace?: boolean } = {}): Promise<void> {
    if (!this.created.includes(ref)) this.created.push(ref);
    if (opts.namespace) this.createdNamespace = true;
    await this.save();
  }

  /** Record the uid the server gave the created object. */
  async createdAs(ref: string, uid: string | undefined): Promise<void> {
    if (!uid || this.uids[ref] === uid) return;
    this.uids[ref] = uid;
    await this.save();
  }

  /** `ref` turned out not to be ours (someone else created it first) or is gone for good. */
  async forget(ref: string, opts: { namespace?: boolean } = {}): Promise<void> {
    const i = this.created.indexOf(ref);
    if (i >= 0) this.created.splice(i, 1);
    delete this.uids[ref];
    if (opts.namespace) this.createdNamespace = false;
    await this.save();
  }

  state(): UndoState {
    return { created: [...this.created], uids: { ...this.uids }, ...(this.createdNamespace ? { createdNamespace: true } : {}) };
  }

  private save(): Promise<void> {
    return this.ctx.remember({ ...this.state(), createdNamespace: this.createdNamespace });
  }
}
