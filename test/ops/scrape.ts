import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';

/** /metrics read through a real Prometheus text-format parser. */
export class Scrape {
  constructor(readonly families: PromFamily[]) {}

  static async from(url: string, token?: string): Promise<Scrape> {
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    return new Scrape(parsePrometheusTextFormat(await res.text()));
  }

  family(name: string): PromFamily {
    const f = this.families.find((x) => x.name === name);
    if (!f) throw new Error(`no metric ${name} in the scrape`);
    return f;
  }

  /** Samples of a family whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): PromSample[] {
    return this.family(name).metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  }

  /** Sum of values (counters, gauges) or of counts (histograms) over the matching samples. */
  total(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
  }
}
