/**
 * Repository Actions secrets: each value is encrypted locally with the repository's public key
 * (libsodium sealed box) and sent in a request body: never in a URL, argv or log.
 */
import type { Octokit } from '@octokit/rest';
import type { TaskContext } from '../kind.js';
import { httpStatus, toTaskError } from './errors.js';
import { importExternal } from '../../runner/external.js';

/** Encrypts `value` for a repository public key (base64), as GitHub expects: base64 sealed box. */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  const sodium = (await importExternal<typeof import('libsodium-wrappers')>('libsodium-wrappers')).default;
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), key);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}

/** Creates or updates every secret (PUT is idempotent); names are logged, values never. */
export async function setSecrets(
  octokit: Octokit,
  owner: string,
  repo: string,
  secrets: Record<string, string>,
  ctx: TaskContext,
): Promise<void> {
  const names = Object.keys(secrets).sort();
  if (!names.length) return;
  const full = `${owner}/${repo}`;
  let key: { key_id: string; key: string };
  try {
    key = (await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', { owner, repo })).data;
  } catch (e) {
    throw toTaskError(e, `reading the Actions public key of ${full}`);
  }
  for (const name of names) {
    ctx.progress(`${full}: setting secret ${name}`);
    const encrypted_value = await sealSecret(secrets[name]!, key.key);
    try {
      await octokit.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        owner,
        repo,
        secret_name: name,
        encrypted_value,
        key_id: key.key_id,
      });
    } catch (e) {
      throw toTaskError(e, `setting secret ${name} on ${full}`);
    }
  }
}

/** Names of `names` that are not set on the repository (GET per secret; values are never readable). */
export async function missingSecrets(octokit: Octokit, owner: string, repo: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', { owner, repo, secret_name: name });
    } catch (e) {
      if (httpStatus(e) === 404) missing.push(name);
      else throw toTaskError(e, `reading secret ${name} of ${owner}/${repo}`);
    }
  }
  return missing;
}
