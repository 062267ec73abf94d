// What `docker compose up -d` leaves behind for one service, made through the Engine API (there is
// no compose CLI here): a container named <project>-<service>-<n> carrying compose's labels, which
// is all the docker runtime plugin's adoption looks at.
import type Docker from 'dockerode';

export interface ComposeContainer {
  project: string;
  service: string;
  /** The replica number compose gives it (the `-1` in shop-web-1). */
  number?: number;
  image: string;
  env: Record<string, string>;
  /** Extra labels (a test file's sweep label, say). */
  labels?: Record<string, string>;
  healthcheck?: Docker.ContainerCreateOptions['Healthcheck'];
}

export async function composeUp(docker: Docker, c: ComposeContainer): Promise<Docker.ContainerInspectInfo> {
  const number = c.number ?? 1;
  const container = await docker.createContainer({
    name: `${c.project}-${c.service}-${number}`,
    Image: c.image,
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...c.labels,
      'com.docker.compose.project': c.project,
      'com.docker.compose.service': c.service,
      'com.docker.compose.container-number': String(number),
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.version': '2.24.0',
    },
    ...(c.healthcheck ? { Healthcheck: c.healthcheck } : {}),
    StopTimeout: 5,
    HostConfig: { NetworkMode: 'host' },
  });
  await container.start();
  return container.inspect();
}
