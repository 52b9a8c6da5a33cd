/*
 * gen — the deterministic data generator behind every simulated vendor.
 *
 * Record i is a pure function of (seed, i, version): no global random state,
 * no tables that grow with the number of employees. Page 10,000 of a million
 * employees costs what page 1 costs. The vendors render the same logical
 * person (names, emails, dates, manager, department, office, legal entity,
 * custom field values, absences) in their own shapes, so one unified expected
 * output holds for every vendor and a given seed.
 *
 * Dates are whole days since 1970-01-01 (UTC); instants are seconds since the
 * epoch. All data is anchored on fixed dates (GEN_ANCHOR_DAY), not on the
 * clock, so the same seed gives byte-identical output on every day: past
 * terminations end before the anchor, future hires and scheduled terminations
 * start in 2028..2030. Only the overlay (mutations at run time) uses the clock.
 */
#ifndef HB_SIM_GEN_H
#define HB_SIM_GEN_H

#include <stddef.h>
#include <stdint.h>

#define GEN_MAX_EMPLOYEES     100000000LL
#define GEN_MAX_CUSTOM_FIELDS 5000
#define GEN_N_DEPARTMENTS     12
#define GEN_N_OFFICES         6
#define GEN_N_ENTITIES        4
#define GEN_N_ABSENCE_TYPES   5
#define GEN_ABSENCES_PER_EMP  2 /* every employee has exactly this many absences */
#define GEN_MAX_OPTIONS       8

struct gen_config {
    uint64_t seed;
    int64_t employees; /* base population; --employees */
    int custom_fields; /* custom fields per tool; --custom-fields */
};

enum gen_gender { GEN_FEMALE, GEN_MALE, GEN_DIVERSE };

/* Lifecycle seen from the anchor date. */
enum gen_status {
    GEN_ACTIVE,     /* hired, not terminated (may have a future termination date) */
    GEN_ONBOARDING, /* hire date in the future */
    GEN_LEAVE,      /* active, currently on leave */
    GEN_INACTIVE,   /* termination date in the past */
};

enum gen_emp_type { GEN_FULL_TIME, GEN_PART_TIME, GEN_CONTRACTOR };

struct gen_person {
    int64_t index;                      /* logical person number, 0-based */
    uint32_t version;                   /* 0 = as generated; bumped by each mutation */
    const char *first_name, *last_name; /* UTF-8, static storage */
    char display_name[96];
    char email[112];          /* work email, unique per index */
    char personal_email[112]; /* unique per index */
    char employee_number[24]; /* "E-00001" */
    enum gen_gender gender;
    int has_dob;
    int dob;  /* day */
    int hire; /* day */
    int has_term;
    int term; /* day; past for GEN_INACTIVE, future for scheduled terminations */
    const char *term_reason;
    int term_voluntary;
    enum gen_status status;
    int64_t manager;          /* index of the manager, or -1 */
    int dept, office, entity; /* indices into the gen_* tables */
    int title_idx;            /* index into gen_titles */
    const char *title;
    enum gen_emp_type emp_type;
    int weekly_hours;
    int salary; /* monthly, whole EUR */
    int64_t created_at;
    int64_t modified_at;
};

enum gen_ftype {
    GEN_F_TEXT,
    GEN_F_NUMBER, /* decimal with two places, carried in hundredths */
    GEN_F_DATE,
    GEN_F_SELECT,
    GEN_F_MULTI,
    GEN_F_BOOL,
    GEN_F_MONEY, /* an amount with a currency: an object where the vendor has one */
    GEN_F_COUNT
};

struct gen_field {
    int k; /* 0-based custom field number */
    enum gen_ftype type;
    char label[64]; /* "Shirt size", "Custom text 8" */
    char camel[64]; /* "ShirtSize", "CustomText8": for vendor aliases */
    int n_options;  /* select / multi only */
};

struct gen_value {
    int is_null;
    const char *text; /* GEN_F_TEXT, static storage */
    int64_t centi;    /* GEN_F_NUMBER (hundredths) and GEN_F_MONEY (cents) */
    int day;          /* GEN_F_DATE */
    int flag;         /* GEN_F_BOOL */
    int option;       /* GEN_F_SELECT: option number */
    uint32_t mask;    /* GEN_F_MULTI: bit j set = option j chosen (never 0 unless null) */
};

struct gen_absence {
    int64_t person;
    int slot;       /* 0 .. GEN_ABSENCES_PER_EMP-1 */
    int type;       /* index into gen_absence_types */
    int start, end; /* days, inclusive */
    int days;       /* working days counted */
    int half_start, half_end;
    const char *status; /* "approved", "pending", "rejected" */
    int64_t created_at, updated_at;
};

struct gen_absence_type {
    const char *name;
    const char *category; /* Personio's category */
    const char *unit;     /* "day" */
};

/* The anchor: data is generated as seen from this day (2026-06-30). */
extern const int GEN_ANCHOR_DAY;

#define GEN_N_TITLES (GEN_N_DEPARTMENTS * 3 + 1)
extern const char *const gen_departments[GEN_N_DEPARTMENTS];
extern const char *const gen_titles[GEN_N_TITLES]; /* dept*3+j; the last is the CEO */
extern const char *const gen_offices[GEN_N_OFFICES];
extern const char *const gen_office_countries[GEN_N_OFFICES]; /* ISO alpha-2 */
extern const char *const gen_entities[GEN_N_ENTITIES];
extern const char *const gen_entity_countries[GEN_N_ENTITIES];
extern const struct gen_absence_type gen_absence_types[GEN_N_ABSENCE_TYPES];

/* Keyed 64-bit hash of (seed, a, b): splitmix64 finalisers chained. */
uint64_t gen_hash(uint64_t seed, uint64_t a, uint64_t b);

/* Fills *out with person index as of version (0 = never mutated). modified_at
 * is the overlay's timestamp when version > 0 (pass 0 otherwise). */
void gen_person(const struct gen_config *cfg, int64_t index, uint32_t version, int64_t modified_at,
                struct gen_person *out);

/* Only the generated last-modified instant of an unmutated person: cheap, for
 * scanning a million records on a delta filter. */
int64_t gen_modified_at(const struct gen_config *cfg, int64_t index);

/* Only the status of an unmutated person (mutations never change it): cheap. */
enum gen_status gen_status_of(const struct gen_config *cfg, int64_t index);

/* Manager index of person index, or -1 (the tree's root is person 0). */
int64_t gen_manager(int64_t index);

/* Describes custom field k (0 <= k < cfg->custom_fields). */
void gen_field(const struct gen_config *cfg, int k, struct gen_field *out);

/* Writes option j of a select/multi field into out (NUL-terminated). */
void gen_option(const struct gen_field *f, int j, char *out, size_t outlen);

/* The value of field f for person p (uses p->index and p->version). */
void gen_field_value(const struct gen_config *cfg, const struct gen_person *p,
                     const struct gen_field *f, struct gen_value *out);

/* Absence `slot` of person p. */
void gen_absence(const struct gen_config *cfg, const struct gen_person *p, int slot,
                 struct gen_absence *out);

/* Remaining balance of absence type t for person p, in hundredths of a day. */
int64_t gen_balance(const struct gen_config *cfg, const struct gen_person *p, int t);

/* Date helpers. */
int gen_days_from_civil(int y, int m, int d);
void gen_civil_from_days(int days, int *y, int *m, int *d);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void gen_fmt_date(int day, char *out);
/* "YYYY-MM-DDT00:00:00+01:00": midnight in Europe/Berlin (out >= 26 bytes). */
void gen_fmt_date_berlin(int day, char *out);
/* "YYYY-MM-DDTHH:MM:SS+02:00": an instant in Europe/Berlin (out >= 26). */
void gen_fmt_ts_berlin(int64_t ts, char *out);
/* "YYYY-MM-DDTHH:MM:SS.000Z" (out >= 25). */
void gen_fmt_ts_utc_ms(int64_t ts, char *out);
/* "YYYY-MM-DDTHH:MM:SS+00:00" (out >= 26). */
void gen_fmt_ts_utc_offset(int64_t ts, char *out);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with optional "Z" or
 * "+HH:MM"/"-HH:MM"/"+HHMM" (no zone = UTC). Returns SIM_OK and *out, or
 * SIM_ERR_INVALID. */
int gen_parse_time(const char *s, int64_t *out);

#endif
