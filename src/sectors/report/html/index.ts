// The HTML report: one self-contained file rendering `rick report`'s facts.
export {chartSvg, drawdownSeries, type ChartOptions, type Series} from './charts.js'
export {escapeHtml, jsonForScript} from './escape.js'
export {closedTradeEquity, reportHtml, type HtmlReportInput} from './render.js'
export {writeHtmlReport, type HtmlReportResult} from './service.js'
