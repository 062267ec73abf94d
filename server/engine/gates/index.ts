/** Gates: pure evaluation (evaluate.ts, verification.ts) and the health I/O (health-monitor.ts). */
export { evaluateGates } from './evaluate.js';
export { evaluateVerification } from './verification.js';
export { HealthMonitor, type HealthMonitorOptions } from './health-monitor.js';
export { DEPENDS_ON_KEY, gateKey, isHealthGate } from './keys.js';
export { windowState, describeWindow } from './allowed-times.js';
export type * from './types.js';
export { ongoingHealth, type HealthProblem } from './ongoing-health.js';
