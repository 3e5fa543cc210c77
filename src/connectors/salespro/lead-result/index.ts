/**
 * The SalesPro lead-result processor: turns the `lead_results` JSON column (an array of
 * `{ title, value }` form answers) into typed columns and line items.
 */
export {
  LEAD_RESULT_COLUMNS,
  type LeadResultColumnKind,
  type LeadResultColumnName,
  type LeadResultColumns,
} from './columns.ts'
export { type LeadResultLineItem } from './line-items.ts'
export { normalizeLeadResults, type LeadResultNormalized } from './normalize-lead-results.ts'
export { parseLeadResultsJson, type ParsedLeadResultsJson } from './parse-lead-results-json.ts'
export { matchTitle, titleKey, type TitleMatch } from './title-match.ts'
export { parseBool, parseMoney, parseText, type Parsed } from './value-parsers.ts'
