export type Mode = 'full' | 'quick' | 'smoke';

/** How big and how long each figure runs in a mode. */
export interface Plan {
  mode: Mode;
  /** Measured repetitions (side by side with the baseline each time); medians are reported. */
  runs: number;
  warmMs: number;
  windowMs: number;
  /** Applications of 10 channels × 50 services (500 instances each) for "10k" figures. */
  smallApps: number;
  /** ... and for "100k" figures (0: skipped). */
  largeApps: number;
  channels: number;
  services: number;
  releases: number;
  subscribers: number;
  changes: number;
  httpSeconds: number;
  postgres: boolean;
}

/** One line of the results table. */
export interface Row {
  figure: string;
  measure: string;
  unit: string;
  value: number;
  /** Extra numbers shown next to the value (p50 next to p99, ...). */
  detail?: string;
  baseline?: { name: string; value: number; detail?: string };
  /** value / baseline (or baseline / value for latencies; `ratioMeaning` says which). */
  ratio?: number;
  ratioMeaning?: string;
  target?: string;
  met?: boolean;
  runs: unknown[];
  notes?: string;
}
