/** Addresses of the dashboard's pages: names in the path (what people read), never raw ids. */
const enc = encodeURIComponent;

export const paths = {
  applications: '/',
  application: (app: string) => `/applications/${enc(app)}`,
  releases: (app: string) => `/applications/${enc(app)}/releases`,
  instance: (app: string, channel: string, service: string) => `/applications/${enc(app)}/channels/${enc(channel)}/services/${enc(service)}`,
  events: (filter: Record<string, string | undefined> = {}) => {
    const q = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => !!e[1])).toString();
    return q ? `/events?${q}` : '/events';
  },
  runtimes: '/runtimes',
  ide: '/graphql',
};
