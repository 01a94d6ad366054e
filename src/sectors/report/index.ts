// Reports: trades, metrics and run reports projected from the journal.
export {RoundTripBook, roundTrips, tradesFromFills, type Multipliers, type OpenPosition, type Trade, type TradeFill} from './trades.js'
export {ANNUALISATION_NOTE, MS_PER_YEAR, computeMetrics, type EquityCurve, type Metrics, type MetricsOptions} from './metrics.js'
export {reportFromJournal, type InstrumentReport, type ReportOptions, type RunReport} from './journal.js'
export {reportJson, reportText, type ReportJson} from './format.js'
export {journalReport, type JournalReport, type JournalReportOptions} from './service.js'
