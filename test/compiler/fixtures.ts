/** YAML snippets shared by the compiler tests. */
import { parseConfig, type ApplicationDoc, type RuntimeDoc, type ServiceDoc } from '../../server/compiler/index.js';

export const RUNTIME_LOCAL = `kind: Runtime
name: local
plugin: process
labels: { zone: z1 }
`;

/** The shop example from DESIGN.md: every gate kind, constants of two types, a perChannel override. */
export const SHOP = `${RUNTIME_LOCAL}---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: local
    constants: { region: eu-west, port: 8100 }
    env: { LOG_LEVEL: debug, REGION: "{{ constants.region }}" }
  - name: production
    runtime: local
    dependsOn: [staging]
    constants: { region: eu-central, port: 8200 }
    env: { LOG_LEVEL: info }
    gates:
      - soak: { duration: 10m }
      - manualApproval: { minApprovers: 1 }
      - allowedTimes: { days: mon-fri, hours: "9-17", timezone: Europe/Berlin }
      - alerts: { alertmanager: "http://127.0.0.1:9093", matchers: { severity: critical } }
      - httpCheck: { url: "http://127.0.0.1:8200/healthz", expectStatus: 200, duration: 2m }
---
kind: Service
name: web
application: shop
parameters:
  - { name: version, required: true }
  - { name: workers, type: int, default: 2 }
spec:
  command: node
  args: [server.js]
  env: { VERSION: "{{ params.version }}", REGION: "{{ constants.region }}" }
  basePort: "{{ constants.port }}"
  replicas: 2
  healthCheck: { path: /healthz }
  label: "{{ application.name }}/{{ channel.name }} on {{ runtime.name }} in {{ runtime.labels.zone }}"
env: { LOG_LEVEL: warn, WORKERS: "{{ params.workers }}" }
perChannel:
  production:
    spec: { replicas: 3, healthCheck: { timeoutSeconds: 9 } }
    env: { LOG_LEVEL: error }
`;

export interface Parsed {
  runtimes: RuntimeDoc[];
  application: ApplicationDoc;
  service: ServiceDoc;
}

/** Parses text that must be valid and has one application and one service. */
export function parseValid(text: string): Parsed {
  const result = parseConfig(text);
  if (!result.ok) throw new Error(`expected valid config:\n${result.diagnostics.map((d) => d.message).join('\n')}`);
  return { runtimes: result.value.runtimes, application: result.value.applications[0]!, service: result.value.services[0]! };
}
