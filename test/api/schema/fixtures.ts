/** Applications on the fake runtime for the schema tests: three channels, `web` and `api` each. */
export function appsConfig(names: string[], opts: { services?: string[] } = {}): string {
  const services = opts.services ?? ['web', 'api'];
  const docs = ['kind: Runtime\nname: fake\nplugin: fake\n'];
  for (const name of names) {
    docs.push(`kind: Application
name: ${name}
releaseChannels:
  - name: dev
    runtime: fake
  - name: staging
    runtime: fake
    dependsOn: [dev]
  - name: production
    runtime: fake
    dependsOn: [staging]
    gates:
      - manualApproval: { minApprovers: 1 }
`);
    for (const service of services) {
      docs.push(`kind: Service\nname: ${service}\napplication: ${name}\nparameters: [{ name: version, required: true }]\nspec: { replicas: 1, env: { NAME: "{{ channel.name }}" } }\n`);
    }
  }
  return docs.join('---\n');
}

export const appNames = (n: number) => Array.from({ length: n }, (_, i) => `app${i + 1}`);
