import type { ChartRenderer, ChartSpec } from '../../core/ports.js';

/** The font charts are drawn with: Debian's DejaVu, which the Chromium and fontconfig packages bring. */
const FONT = 'DejaVu Sans';

type Libraries = { vega: typeof import('vega'); Resvg: typeof import('@resvg/resvg-js').Resvg };

/**
 * Charts drawn with Vega (specification → SVG, in Node without a canvas) and resvg (SVG → PNG). Both are
 * loaded on the first chart: a server that is never asked for one does not carry them.
 */
export function vegaChartRenderer(): ChartRenderer {
  let libraries: Promise<Libraries> | undefined;
  const load = () =>
    (libraries ??= Promise.all([import('vega'), import('@resvg/resvg-js')]).then(([vega, resvg]) => ({ vega, Resvg: resvg.Resvg })).catch((error: unknown) => {
      libraries = undefined;
      throw error;
    }));

  async function svg(spec: ChartSpec): Promise<string> {
    const { vega } = await load();
    const themed = { ...spec, config: { font: FONT, ...((spec.config as object | undefined) ?? {}) } };
    const view = new vega.View(vega.parse(themed as import('vega').Spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  }

  return {
    svg,
    async png(spec) {
      const drawn = await svg(spec);
      const { Resvg } = await load();
      const image = new Resvg(drawn, {
        background: 'white',
        fitTo: { mode: 'zoom', value: 2 },
        font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
      });
      return image.render().asPng();
    },
  };
}
