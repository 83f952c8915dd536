/**
 * The three patch formats the Kubernetes API server takes for built-in objects, as it applies them: JSON
 * patch (RFC 6902), JSON merge patch (RFC 7386: lists replaced whole) and strategic merge patch (lists of
 * containers, env, volumes… merged by their key). Only the parts a Deployment needs; an unknown directive is
 * an error, as it is on the server. Errors are thrown as PatchError with the status the server answers.
 */
export class PatchError extends Error {
  constructor(
    readonly code: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The patchMergeKey of the lists of a pod template that strategic merge merges instead of replacing. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
};

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export function strategicMergePatch(target: Json | undefined, patch: Json, key?: string): Json {
  if (Array.isArray(patch)) {
    const mergeKey = key ? MERGE_KEYS[key] : undefined;
    if (!mergeKey || !Array.isArray(target)) return patch.map((item) => stripDirectives(item));
    const result = [...target];
    for (const item of patch) {
      if (!isObject(item) || item[mergeKey] === undefined) throw new PatchError(400, `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      const at = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
      if (item.$patch === 'delete') {
        if (at >= 0) result.splice(at, 1);
        continue;
      }
      if (at >= 0) result[at] = strategicMergePatch(result[at], item);
      else result.push(stripDirectives(item));
    }
    return result;
  }
  if (!isObject(patch)) return patch;
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined) throw new PatchError(400, `unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (name.startsWith('$')) throw new PatchError(400, `unknown directive ${name} in strategic merge patch`);
    if (value === null) delete result[name];
    else result[name] = strategicMergePatch(result[name], value, name);
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, stripDirectives(v)]));
}

type Operation = { op: string; path: string; value?: Json; from?: string };

export function jsonPatch(document: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let result = structuredClone(document);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw new PatchError(400, `invalid JSON patch operation: ${JSON.stringify(raw)}`);
    const op = raw as unknown as Operation;
    const tokens = pointer(op.path);
    switch (op.op) {
      case 'add':
      case 'replace':
        if (!('value' in raw)) throw new PatchError(422, `${op.op} operation has no value: ${op.path}`);
        result = put(result, tokens, structuredClone(op.value as Json), op.op);
        break;
      case 'remove':
        result = put(result, tokens, undefined, 'remove');
        break;
      case 'test':
        if (JSON.stringify(get(result, tokens)) !== JSON.stringify(op.value)) throw new PatchError(422, `the server rejected our request due to an error in our request: testing value ${op.path} failed`);
        break;
      default:
        throw new PatchError(422, `unexpected kind of JSON patch operation: ${op.op}`);
    }
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(422, `JSON pointer must start with /: ${path}`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(document: Json, tokens: string[]): Json | undefined {
  let at: Json | undefined = document;
  for (const token of tokens) {
    if (Array.isArray(at)) at = at[Number(token)];
    else if (isObject(at)) at = at[token];
    else return undefined;
  }
  return at;
}

function put(document: Json, tokens: string[], value: Json | undefined, op: 'add' | 'replace' | 'remove'): Json {
  if (tokens.length === 0) {
    if (value === undefined) throw new PatchError(422, 'cannot remove the whole document');
    return value;
  }
  const parent = get(document, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  const missing = () => new PatchError(422, `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (op !== 'add' && index >= parent.length)) throw missing();
    if (op === 'add') parent.splice(index, 0, value as Json);
    else if (op === 'replace') parent[index] = value as Json;
    else parent.splice(index, 1);
  } else if (isObject(parent)) {
    if (op !== 'add' && !(last in parent)) throw missing();
    if (op === 'remove') delete parent[last];
    else parent[last] = value as Json;
  } else {
    throw missing();
  }
  return document;
}
