/**
 * The fake cluster's state and REST semantics: an in-memory object store with resourceVersion,
 * uid, creationTimestamp and generation, the create/get/list/update/patch/delete rules of the
 * real API server (404, 409 AlreadyExists/Conflict, 422 Invalid, preconditions, terminating
 * namespaces), and the hooks that let the built-in controllers move objects along.
 */
import { parse as parseYaml } from 'yaml';
import { type Behaviour } from './behaviours.js';
import { Catalog, groupVersion, splitApiVersion, type ResourceType } from './catalog.js';
import * as controllers from './controllers.js';
import { jsonEqual, timestamp, uid, randomSuffix, validName, type Obj } from './objects.js';
import { jsonPatch, mergePatch, PatchError } from './patch.js';
import { matchFields, matchLabels, SelectorError } from './selectors.js';
import { ApiError, errors } from './status.js';

/** One request the server answered (for assertions like "satisfied made no writes"). */
export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  contentType?: string;
}

/** A rule that makes matching requests fail with 403 Forbidden (RBAC simulation). */
export interface ForbidRule {
  verb?: string;
  /** Plural resource (`namespaces`, `deployments`). */
  resource?: string;
  namespace?: string;
}

/** Per-request bookkeeping: each object's controller is stepped at most once per request. */
export interface ReadContext {
  stepped: Set<string>;
}

/** Types whose objects carry `metadata.generation`. */
const NO_GENERATION = new Set(['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'PersistentVolumeClaim', 'Node']);

export class FakeCluster {
  readonly catalog = new Catalog();
  behaviours: Behaviour[] = [];
  forbidden: ForbidRule[] = [];
  /** Bearer token required by the API (admin endpoints excepted); unset = no auth. */
  token: string | undefined;
  /** User name reported in Forbidden messages. */
  user = 'fake-user';
  readonly requests: RequestRecord[] = [];
  /** Reads seen per object uid (drives behaviours). */
  readonly reads = new Map<string, number>();
  private objects = new Map<string, Obj>();
  private rv = 100;

  constructor() {
    this.reset();
  }

  /** Back to a fresh cluster: default namespaces and one Ready node; behaviours and rules cleared. */
  reset(): void {
    this.objects.clear();
    this.reads.clear();
    this.catalog.reset();
    this.behaviours = [];
    this.forbidden = [];
    this.requests.length = 0;
    for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    this.seed(controllers.fakeNode());
  }

  // ---- low-level store (used by controllers, admin API and tests) ----

  private key(type: ResourceType, ns: string | undefined, name: string): string {
    return `${type.group}|${type.plural}|${type.namespaced ? ns ?? '' : ''}|${name}`;
  }

  /** The stored object, without stepping any controller. */
  peek(type: ResourceType, ns: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(type, ns, name));
  }

  /** Write an object as is (new resourceVersion). */
  store(type: ResourceType, obj: Obj): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(this.key(type, obj.metadata.namespace, obj.metadata.name), obj);
    return obj;
  }

  /** Remove an object at once (no finalization). */
  drop(type: ResourceType, ns: string | undefined, name: string): void {
    const obj = this.peek(type, ns, name);
    this.objects.delete(this.key(type, ns, name));
    this.rv++;
    if (obj) this.reads.delete(obj.metadata.uid);
  }

  /** Stored objects of a type (in a namespace, or all). */
  objectsOf(type: ResourceType, ns?: string): Obj[] {
    const prefix = `${type.group}|${type.plural}|`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (ns === undefined || o.metadata.namespace === ns))
      .map(([, o]) => o);
  }

  /** Every stored object (with its apiVersion and kind). */
  all(): Obj[] {
    return [...this.objects.values()];
  }

  /** Type of an apiVersion/kind, served in any version of its group. */
  typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    return this.catalog.byKind(apiVersion, kind) ?? this.catalog.anyVersionOf(splitApiVersion(apiVersion)[0], kind);
  }

  /** Count a read of an object; returns the new count. */
  countRead(obj: Obj): number {
    const n = (this.reads.get(obj.metadata.uid) ?? 0) + 1;
    this.reads.set(obj.metadata.uid, n);
    return n;
  }

  /** Put an object in place as the admin API does: metadata filled in, controllers initialised only if it has no status. */
  seed(input: Obj): Obj {
    const type = this.typeOf(String(input.apiVersion ?? ''), String(input.kind ?? ''));
    if (!type) throw new ApiError(400, 'BadRequest', `no such type: ${input.apiVersion} ${input.kind}`);
    const obj: Obj = structuredClone(input);
    obj.apiVersion = groupVersion(type);
    const m = obj.metadata ?? (obj.metadata = {});
    if (!m.name) throw new ApiError(400, 'BadRequest', 'seeded objects need metadata.name');
    if (type.namespaced) m.namespace ??= 'default';
    else delete m.namespace;
    m.uid ??= uid();
    m.creationTimestamp ??= timestamp();
    if (!NO_GENERATION.has(type.kind)) m.generation ??= 1;
    const hadStatus = obj.status !== undefined;
    controllers.onCreate(this, type, obj, { seeded: true, hadStatus });
    return this.store(type, obj);
  }

  // ---- API operations (throw ApiError) ----

  private checkNamespace(type: ResourceType, ns: string | undefined, name: string, creating: boolean): void {
    if (!type.namespaced) return;
    const nsType = this.catalog.byKind('v1', 'Namespace')!;
    const nsObj = this.peek(nsType, undefined, ns ?? '');
    if (!nsObj) throw errors.namespaceNotFound(ns ?? '');
    if (creating && nsObj.metadata.deletionTimestamp) throw errors.terminating(type, name, ns!);
  }

  create(type: ResourceType, ns: string | undefined, body: unknown, opts: { dryRun?: boolean } = {}): Obj {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request was not an object');
    const obj = structuredClone(body) as Obj;
    const gv = groupVersion(type);
    if (obj.apiVersion !== undefined && obj.apiVersion !== gv) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${type.kind})`);
    }
    obj.apiVersion = gv;
    obj.kind = type.kind;
    const m = (obj.metadata ??= {});
    if (type.namespaced) {
      if (m.namespace !== undefined && m.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m.namespace = ns;
    } else delete m.namespace;
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
    if (!m.name) throw errors.invalid(type, '', 'metadata.name', 'Required value: name or generateName is required');
    if (!validName(m.name)) {
      throw errors.invalid(type, m.name, 'metadata.name', `Invalid value: "${m.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
    }
    this.checkNamespace(type, ns, m.name, true);
    if (this.peek(type, ns, m.name)) throw errors.alreadyExists(type, m.name);
    controllers.validate(this, type, obj);
    for (const f of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']) delete m[f];
    m.uid = uid();
    m.creationTimestamp = timestamp();
    if (!NO_GENERATION.has(type.kind)) m.generation = 1;
    if (type.subresources.includes('status')) delete obj.status;
    if (opts.dryRun) return obj;
    controllers.onCreate(this, type, obj, { seeded: false, hadStatus: false });
    return this.store(type, obj);
  }

  /** GET of one object: counts as a read (behaviours step); a read may find it gone. */
  get(type: ResourceType, ns: string | undefined, name: string, rc: ReadContext): Obj {
    const obj = this.peek(type, ns, name);
    if (!obj) throw errors.notFound(type, name);
    controllers.onRead(this, type, obj, rc);
    const now = this.peek(type, ns, name);
    if (!now) throw errors.notFound(type, name);
    return now;
  }

  list(type: ResourceType, ns: string | undefined, q: { labelSelector?: string; fieldSelector?: string }, rc: ReadContext) {
    try {
      let items = this.objectsOf(type, ns).filter((o) => matchLabels(q.labelSelector, o.metadata.labels) && matchFields(q.fieldSelector, o));
      for (const o of items) controllers.onRead(this, type, o, rc);
      items = items
        .map((o) => this.peek(type, o.metadata.namespace, o.metadata.name))
        .filter((o): o is Obj => o !== undefined)
        .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
      return { items, resourceVersion: String(this.rv) };
    } catch (e) {
      if (e instanceof SelectorError) throw errors.badRequest(e.message);
      throw e;
    }
  }

  /** PUT (whole object, or its `status` subresource). */
  replace(type: ResourceType, ns: string | undefined, name: string, body: unknown, sub?: string): Obj {
    const cur = this.peek(type, ns, name);
    if (!cur) throw errors.notFound(type, name);
    if (!body || typeof body !== 'object') throw errors.badRequest('the body of the request was not an object');
    const next = structuredClone(body) as Obj;
    next.metadata ??= {};
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== cur.metadata.resourceVersion) {
      throw errors.conflict(type, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    let out: Obj;
    if (sub === 'status') {
      out = { ...structuredClone(cur), status: next.status };
    } else {
      out = next;
      out.apiVersion = cur.apiVersion;
      out.kind = type.kind;
      const keep = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'namespace', 'name'];
      for (const f of keep) if (cur.metadata[f] !== undefined) out.metadata[f] = cur.metadata[f];
      if (type.subresources.includes('status')) {
        if (cur.status !== undefined) out.status = structuredClone(cur.status);
        else delete out.status;
      }
      if (out.metadata.generation !== undefined && !jsonEqual(cur.spec, out.spec)) out.metadata.generation += 1;
      controllers.validate(this, type, out);
    }
    controllers.onUpdate(this, type, cur, out);
    return this.store(type, out);
  }

  /** PATCH with the content types the real server accepts. */
  patch(type: ResourceType, ns: string | undefined, name: string, contentType: string, raw: string, q: { fieldManager?: string; sub?: string; dryRun?: boolean }): Obj {
    const ct = contentType.split(';')[0]!.trim();
    let body: unknown;
    try {
      body = ct === 'application/apply-patch+yaml' ? parseYaml(raw) : JSON.parse(raw);
    } catch (e) {
      throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const cur = this.peek(type, ns, name);
    if (ct === 'application/apply-patch+yaml') {
      if (!q.fieldManager) throw errors.badRequest('PATCH, fieldManager: Required value: is required for apply patch');
      if (!cur) return this.create(type, ns, { ...(body as object), metadata: { ...(body as Obj).metadata, name } }, q);
    }
    if (!cur) throw errors.notFound(type, name);
    const base = structuredClone(cur);
    let next: unknown;
    switch (ct) {
      case 'application/merge-patch+json':
      case 'application/strategic-merge-patch+json':
      case 'application/apply-patch+yaml':
        next = mergePatch(base, body);
        break;
      case 'application/json-patch+json':
        try {
          next = jsonPatch(base, body);
        } catch (e) {
          if (e instanceof PatchError) throw new ApiError(422, 'Invalid', e.message);
          throw e;
        }
        break;
      default:
        throw errors.unsupportedMediaType(ct);
    }
    if (q.dryRun) return next as Obj;
    return this.replace(type, ns, name, next, q.sub);
  }

  /** DELETE: returns the object (namespaces, CRDs, pods: graceful) or a Status (immediate). */
  delete(type: ResourceType, ns: string | undefined, name: string, opts: { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean }): Obj {
    const cur = this.peek(type, ns, name);
    if (!cur) throw errors.notFound(type, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== cur.metadata.uid) {
      throw errors.conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return cur;
    const result = controllers.onDelete(this, type, cur);
    if (result.kind === 'status') {
      return {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, ...(type.group ? { group: type.group } : {}), kind: type.plural, uid: cur.metadata.uid },
      } as Obj;
    }
    return result.object;
  }

  /** Whether a request is forbidden by a {@link ForbidRule}. */
  isForbidden(verb: string, type: ResourceType | undefined, ns: string | undefined): boolean {
    return this.forbidden.some(
      (r) => (r.verb === undefined || r.verb === verb) && (r.resource === undefined || r.resource === type?.plural) && (r.namespace === undefined || r.namespace === ns),
    );
  }
}
