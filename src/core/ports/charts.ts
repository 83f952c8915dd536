import type { DeliveryStats } from '../delivery-stats.js';

/** A chart as data (a Vega specification): built in core, drawn by an adapter. */
export type ChartSpec = Readonly<Record<string, unknown>>;

/** Draws charts. The drawing library is loaded on the first chart asked for, not at start-up. */
export interface ChartRenderer {
  svg(spec: ChartSpec): Promise<string>;
  png(spec: ChartSpec): Promise<Buffer>;
}

/** `/slipway stats`'s chart: drawn and uploaded to the channel after the command is answered. */
export type StatsChartRequest = { channel: string; user: string; service: string; stats: readonly DeliveryStats[] };

export interface StatsCharts {
  /** Starts drawing and uploading; does not wait. A failure is told to the user in the channel and logged. */
  post(request: StatsChartRequest): void;
}
