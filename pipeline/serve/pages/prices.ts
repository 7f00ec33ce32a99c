/**
 * The prices page: symbol and date-range pickers, the candles of the first
 * symbol with volume, 20-bar average and VWAP (the session still trading
 * shaded), and with several symbols their closes on one normalised axis.
 * The head, navigation and pickers are sent before the charts are drawn.
 * @module
 */
import {
  type CandleBar,
  candleChart,
  compareChart,
  volumeChart,
} from "@pipeline/charts/mod.ts";
import { requireRelation, withCatalog } from "@pipeline/serve/catalog.ts";
import { chartHtml, escapeHtml, layout } from "@pipeline/serve/html.ts";
import {
  closes,
  type PricesParams,
  pricesParams,
  readBars,
} from "@pipeline/serve/prices_query.ts";
import type { PageRequest } from "@pipeline/serve/request.ts";
import { unfinishedFrom } from "@pipeline/serve/session.ts";

/** The pickers: symbols, from and to, and which lake table the range reads. */
function pickers(params: PricesParams): string {
  const options = params.available.map((s) =>
    `<option value="${escapeHtml(s)}"${
      params.symbols.includes(s) ? " selected" : ""
    }>${escapeHtml(s)}</option>`
  ).join("");
  const table = params.granularity;
  return `<form id="pickers" class="pickers" method="get" action="/prices">
<label>Symbols <select name="symbol" multiple size="4">${options}</select></label>
<label>From <input type="date" name="from" value="${params.from}"></label>
<label>To <input type="date" name="to" value="${params.to}"></label>
<button type="submit">Show</button>
<span class="hint">The lake holds ${params.firstDate} to ${params.lastDate}. ${params.days} day(s): ${table.label} bars from the lake's ${
    escapeHtml(table.table)
  }</span>
</form>`;
}

/** The prices page. */
export async function pricesPage(request: PageRequest): Promise<string> {
  const { document } = request;
  return await withCatalog(request.dataDir, async (reader) => {
    await requireRelation(reader, "bars_1d", "bars");
    const params = await pricesParams(reader, request.url);
    const page = (charts: string) =>
      layout({
        title: "Prices",
        active: "/prices",
        body: `${
          pickers(params)
        }<section id="prices-charts" data-live-part>${charts}</section>`,
      });
    const slot = "\u0000";
    request.early?.(page(slot).split(slot)[0]!);
    const first = params.symbols[0]!;
    // The first symbol's candles set the width the others are drawn at.
    const { width: g, bars: own } = await readBars(reader, params, first);
    const bars = new Map<string, CandleBar[]>([[first, own]]);
    for (const symbol of params.symbols.slice(1)) {
      bars.set(
        symbol,
        (await readBars(reader, params, symbol, { width: g })).bars,
      );
    }
    let charts: string;
    if (own.length === 0) {
      charts = `<p class="message">No ${g} bars of ${
        escapeHtml(first)
      } between ${params.from} and ${params.to}.</p>`;
    } else {
      const shade = unfinishedFrom(own.at(-1)?.ts, request.clock.now());
      charts = [
        params.symbols.length > 1
          ? chartHtml(compareChart(closes(bars), { document, granularity: g }))
          : "",
        chartHtml(
          candleChart(own, {
            document,
            symbol: first,
            granularity: g,
            unfinishedFrom: shade,
          }),
        ),
        chartHtml(
          volumeChart(own, { document, symbol: first, granularity: g }),
        ),
        shade
          ? `<p class="note">The shaded session is still trading: its last bar is not final.</p>`
          : "",
      ].join("\n");
    }
    const last = own.at(-1);
    const table = params.granularity.label;
    const merged = g === table
      ? ""
      : ` (the lake's ${table} bars merged into ${g} candles)`;
    const summary = last
      ? `<p class="summary">${escapeHtml(first)} last ${g} candle ${
        last.ts.toISOString().slice(0, 16).replace("T", " ")
      } UTC: close ${
        last.close.toFixed(2)
      }, ${own.length} candles shown${merged}.</p>`
      : "";
    return page(`${summary}${charts}`);
  });
}
