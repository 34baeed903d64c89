/** Types of registry.mjs for the TypeScript tests that share it. */
export function freePort(): Promise<number>;
export function registryConfigYaml(opts: { port: number; dataDir: string; htpasswd?: string }): string;
export function startRegistry(dataDir: string, workDir: string): Promise<{ pid: number; port: number }>;
