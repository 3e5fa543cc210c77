/**
 * Values people type into fields that hold numbers, flags and dates: some read as the field's
 * type (money text, `Yes`, a date with a time) and some cannot (`call office`, `12,50 €`), which
 * crmsync must store NULL with a `_meta` change naming the field (docs/design.md §3.11).
 */

/** SalesPro text fields read as money (`estimate.finance_amount`, a declared column retyped to VARCHAR) */
export const MONEY_TEXTS = [
  'call office',
  'TBD',
  '12,50',
  '1.000,00',
  'approx 500',
  '$',
  'N/A',
  '$1,000.00',
  ' (15.00) ',
  '15.00-',
  'USD 1,234.50',
  '1,234.50 USD',
  '1.2345e3',
  '2,500',
  '',
] as const

/** HubSpot property values by the property's type */
export const HUBSPOT_TEXTS: Readonly<Record<string, readonly string[]>> = {
  number: ['12,50 €', 'twelve', '1.000,00', 'n/a', '$1,000.00', '(15.00)', '1.2345e3', '2,500', ''],
  bool: ['maybe', 'si', 'Yes', 'n', 'ON', ''],
  date: ['not-a-date', '31/12/2026', '2026-02-30', '2026-07-04T10:00:00Z', '1767225600000', ''],
  datetime: [
    '31/12/2026 25:61',
    'yesterday',
    '2026-07-04 10:00',
    '2026-07-04T10:00:00-05:00',
    '1767225600000',
    '',
  ],
}
