/** The fake Azure Resource Manager for tests (HTTPS on 127.0.0.1, test CA in test/fixtures/tls). */
export { startFakeArm, testCaAgent, testCaPath } from './server.js';
export type { ArmBehaviour, ArmRequestRecord, FakeArm, FakeArmOptions, FaultRule } from './server.js';
export { FakeArmState } from './state.js';
export type { ArmErrorBody, ClusterRecord, OperationRecord, ResourceGroupRecord } from './state.js';
