/*
 * normalize — turning vendors' values into the unified model's: dates to
 * "YYYY-MM-DDT00:00:00.000Z" (the calendar date as the vendor wrote it, not
 * shifted by its offset), timestamps to UTC with milliseconds, numeric
 * strings to numbers.
 */
#ifndef HB_CONNECTORS_NORMALIZE_H
#define HB_CONNECTORS_NORMALIZE_H

#include <jansson.h>

/* A date value ("2021-03-01", "2021-03-01T00:00:00+01:00") as a new JSON
 * string at midnight UTC of that calendar date, or JSON null for null, "",
 * "0000-00-00" and anything unparseable. */
json_t *normalize_date(const json_t *v);

/* A timestamp value with any offset as a new JSON string in UTC with
 * milliseconds, or JSON null. */
json_t *normalize_timestamp(const json_t *v);

/* A number or numeric string ("40", "37.5") as a new JSON real, or null. */
json_t *normalize_number(const json_t *v);

/* A string value copied (new reference), or null for null, "" and non-strings. */
json_t *normalize_string(const json_t *v);

#endif
