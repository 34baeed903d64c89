/** The fake GitHub REST server for tests: see server.ts. */
export { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions, type Behaviour, type RequestRecord, type SeedTree } from './server.js';
export type { FakeRepo, FakeState } from './model.js';
