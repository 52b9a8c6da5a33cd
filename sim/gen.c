/*
 * gen — deterministic HR data from (seed, index, version). See gen.h.
 *
 * Every attribute draws from its own keyed hash, so adding an attribute never
 * shifts the others, and record i never depends on how many records exist.
 */
#include "gen.h"

#include "simerr.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Hash keys: one per attribute. */

enum {
    K_GENDER = 1,
    K_FIRST,
    K_LAST,
    K_DOB,
    K_DOB_NULL,
    K_CATEGORY,
    K_HIRE,
    K_TERM,
    K_REASON,
    K_CREATED,
    K_MODIFIED,
    K_DEPT,
    K_OFFICE,
    K_TITLE,
    K_ETYPE,
    K_HOURS,
    K_SALARY,
    K_ABSENCE = 0x100,
    K_BALANCE = 0x200,
    K_FIELD = 0x10000,
    K_FIELD_DEF = 0x20000,
};

struct name {
    const char *display;
    const char *ascii;
};

static const struct name female_names[] = {
    {"Anna", "anna"},     {"Sophie", "sophie"}, {"Marie", "marie"},   {"Zoë", "zoe"},
    {"Amélie", "amelie"}, {"Laura", "laura"},   {"Lea", "lea"},       {"Hannah", "hannah"},
    {"Emma", "emma"},     {"Mia", "mia"},       {"Clara", "clara"},   {"Julia", "julia"},
    {"Lucía", "lucia"},   {"Inês", "ines"},     {"Olivia", "olivia"}, {"Charlotte", "charlotte"},
    {"Grace", "grace"},   {"Isabel", "isabel"}, {"Carmen", "carmen"}, {"Elena", "elena"},
    {"Sofia", "sofia"},   {"Nora", "nora"},     {"Greta", "greta"},   {"Ingrid", "ingrid"},
};

static const struct name male_names[] = {
    {"Lukas", "lukas"},   {"Jonas", "jonas"}, {"Felix", "felix"},   {"Leon", "leon"},
    {"Paul", "paul"},     {"Max", "max"},     {"Björn", "bjoern"},  {"Jürgen", "juergen"},
    {"Sören", "soeren"},  {"José", "jose"},   {"Javier", "javier"}, {"Pablo", "pablo"},
    {"Oliver", "oliver"}, {"James", "james"}, {"Harry", "harry"},   {"Noah", "noah"},
    {"Liam", "liam"},     {"Ethan", "ethan"}, {"Mateo", "mateo"},   {"Hugo", "hugo"},
    {"Tomás", "tomas"},   {"Ahmet", "ahmet"}, {"Łukasz", "lukasz"}, {"François", "francois"},
};

static const struct name last_names[] = {
    {"Schmidt", "schmidt"},
    {"Müller", "mueller"},
    {"Weber", "weber"},
    {"Wagner", "wagner"},
    {"Becker", "becker"},
    {"Hoffmann", "hoffmann"},
    {"Schäfer", "schaefer"},
    {"Koch", "koch"},
    {"Richter", "richter"},
    {"Klein", "klein"},
    {"Wolf", "wolf"},
    {"Neumann", "neumann"},
    {"García", "garcia"},
    {"Martínez", "martinez"},
    {"López", "lopez"},
    {"Fernández", "fernandez"},
    {"O'Brien", "obrien"},
    {"Smith", "smith"},
    {"Jones", "jones"},
    {"Taylor", "taylor"},
    {"Brown", "brown"},
    {"Williams", "williams"},
    {"Nguyen", "nguyen"},
    {"Kowalski", "kowalski"},
    {"Yılmaz", "yilmaz"},
    {"Dubois", "dubois"},
    {"Rossi", "rossi"},
    {"Silva", "silva"},
    {"Andersson", "andersson"},
    {"Novak", "novak"},
    {"Kim", "kim"},
    {"de la Cruz", "delacruz"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const gen_departments[GEN_N_DEPARTMENTS] = {
    "Engineering",      "Sales", "Marketing", "Finance", "People", "Operations",
    "Customer Success", "Legal", "Product",   "Design",  "Data",   "IT",
};

const char *const gen_titles[GEN_N_TITLES] = {
    "Backend Engineer",
    "Frontend Engineer",
    "Engineering Manager",
    "Account Executive",
    "Sales Development Rep",
    "Sales Manager",
    "Content Marketer",
    "Growth Marketer",
    "Marketing Manager",
    "Accountant",
    "Financial Analyst",
    "Finance Manager",
    "HR Generalist",
    "Recruiter",
    "Head of People",
    "Operations Analyst",
    "Office Manager",
    "Operations Lead",
    "Support Agent",
    "Customer Success Manager",
    "Support Lead",
    "Legal Counsel",
    "Paralegal",
    "General Counsel",
    "Product Manager",
    "Product Analyst",
    "Head of Product",
    "Product Designer",
    "UX Researcher",
    "Design Lead",
    "Data Analyst",
    "Data Engineer",
    "Data Scientist",
    "IT Administrator",
    "Security Engineer",
    "IT Manager",
    "Chief Executive Officer",
};

const char *const gen_offices[GEN_N_OFFICES] = {
    "Munich", "Berlin", "London", "Madrid", "Barcelona", "New York",
};

const char *const gen_office_countries[GEN_N_OFFICES] = {"DE", "DE", "GB", "ES", "ES", "US"};

static const int office_entity[GEN_N_OFFICES] = {0, 0, 1, 2, 2, 3};

const char *const gen_entities[GEN_N_ENTITIES] = {
    "Acme GmbH",
    "Acme Ltd",
    "Acme Iberia S.L.",
    "Acme Inc.",
};

const char *const gen_entity_countries[GEN_N_ENTITIES] = {"DE", "GB", "ES", "US"};

const struct gen_absence_type gen_absence_types[GEN_N_ABSENCE_TYPES] = {
    {"Vacation", "paid_vacation", "day"},
    {"Sick leave", "sick_leave", "day"},
    {"Parental leave", "parental_leave", "day"},
    {"Unpaid leave", "unpaid_vacation", "day"},
    {"Training", "other", "day"},
};

static const char *const term_reasons[] = {
    "Moved abroad", "New job", "Career change", "End of contract", "Restructuring", "Performance",
};

/* Free-text values, chosen to exercise escaping: quotes, backslashes, control
 * characters, markup and non-ASCII. */
static const char *const texts[] = {
    "Loves hiking",
    "Prefers to be called \"Alex\"",
    "Café regular",
    "Line one\nLine two",
    "C:\\Users\\shared",
    "<b>bold</b> & co",
    "Team lunch on Fridays",
    "Allergic to peanuts",
    "Speaks 3 languages",
    "Vegetarian",
    "Remote from Lisbon",
    "Tab\tseparated",
    "Rocket fan \xF0\x9F\x9A\x80",
    "Owns a dog",
    "Marathon runner",
    "Chess club",
};

static const enum gen_ftype type_cycle[7] = {
    GEN_F_SELECT, GEN_F_MULTI, GEN_F_NUMBER, GEN_F_DATE, GEN_F_BOOL, GEN_F_TEXT, GEN_F_MONEY,
};

static const char *const fixed_labels[7] = {
    "Shirt size",    "Languages", "Commute km",    "Badge expiry",
    "Remote worker", "Notes",     "Travel budget",
};

static const char *const fixed_camel[7] = {
    "ShirtSize", "Languages", "CommuteKm", "BadgeExpiry", "RemoteWorker", "Notes", "TravelBudget",
};

static const char *const type_words[GEN_F_COUNT] = {
    "text", "number", "date", "select", "multiselect", "flag", "amount",
};

static const char *const shirt_sizes[] = {"S", "M", "L", "XL"};
static const char *const languages[] = {"English", "German", "French", "Spanish", "Italian"};

const int GEN_ANCHOR_DAY = 20634; /* 2026-06-30 */

/* Fixed days used by the generator (days since 1970-01-01). */
enum {
    D1960 = -3653,     /* 1960-01-01 */
    D2003END = 12417,  /* 2003-12-31 */
    D2010 = 14610,     /* 2010-01-01 */
    D2024 = 19723,     /* 2024-01-01 */
    D2026 = 20454,     /* 2026-01-01 */
    D20260531 = 20604, /* 2026-05-31 */
    D2028 = 21184,     /* 2028-01-01 */
};

/* ------------------------------------------------------------------------ */
/* Hashing */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t gen_hash(uint64_t seed, uint64_t a, uint64_t b)
{
    return mix(mix(mix(seed) ^ a) ^ b);
}

#define H(key) gen_hash(cfg->seed, (uint64_t)index, (uint64_t)(key))

/* ------------------------------------------------------------------------ */
/* Dates (Howard Hinnant's civil algorithms) */

int gen_days_from_civil(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gen_civil_from_days(int days, int *y, int *m, int *d)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int last_sunday(int y, int m)
{
    int d = gen_days_from_civil(y, m, 31);
    int wd = ((d + 4) % 7 + 7) % 7; /* 0 = Sunday */

    return d - wd;
}

/* Central European summer time for the midnight starting `day`. */
static int berlin_dst_day(int day)
{
    int y, m, d;

    gen_civil_from_days(day, &y, &m, &d);
    return day > last_sunday(y, 3) && day <= last_sunday(y, 10);
}

static int berlin_dst_ts(int64_t ts)
{
    int day = (int)(ts >= 0 ? ts / 86400 : (ts - 86399) / 86400);
    int y, m, d;
    int64_t start, end;

    gen_civil_from_days(day, &y, &m, &d);
    start = (int64_t)last_sunday(y, 3) * 86400 + 3600;
    end = (int64_t)last_sunday(y, 10) * 86400 + 3600;
    return ts >= start && ts < end;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void gen_fmt_date(int day, char *out)
{
    int y, m, d;

    gen_civil_from_days(day, &y, &m, &d);
    put2(out, y / 100);
    put2(out + 2, y % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = '\0';
}

static void fmt_ts(int64_t ts, int offset_h, char *out)
{
    int64_t local = ts + (int64_t)offset_h * 3600;
    int day = (int)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
    int sec = (int)(local - (int64_t)day * 86400);

    gen_fmt_date(day, out);
    out[10] = 'T';
    put2(out + 11, sec / 3600);
    out[13] = ':';
    put2(out + 14, sec / 60 % 60);
    out[16] = ':';
    put2(out + 17, sec % 60);
    out[19] = '\0';
}

void gen_fmt_date_berlin(int day, char *out)
{
    gen_fmt_date(day, out);
    memcpy(out + 10, berlin_dst_day(day) ? "T00:00:00+02:00" : "T00:00:00+01:00", 16);
}

void gen_fmt_ts_berlin(int64_t ts, char *out)
{
    int dst = berlin_dst_ts(ts);

    fmt_ts(ts, dst ? 2 : 1, out);
    memcpy(out + 19, dst ? "+02:00" : "+01:00", 7);
}

void gen_fmt_ts_utc_ms(int64_t ts, char *out)
{
    fmt_ts(ts, 0, out);
    memcpy(out + 19, ".000Z", 6);
}

void gen_fmt_ts_utc_offset(int64_t ts, char *out)
{
    fmt_ts(ts, 0, out);
    memcpy(out + 19, "+00:00", 7);
}

static int digits(const char **s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if ((*s)[i] < '0' || (*s)[i] > '9')
            return SIM_ERR_INVALID;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return SIM_OK;
}

int gen_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 1;
    int64_t ts;

    if (!s || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
        digits(&s, 2, &d))
        return SIM_ERR_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return SIM_ERR_INVALID;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
            return SIM_ERR_INVALID;
        if (*s == ':') {
            s++;
            if (digits(&s, 2, &se))
                return SIM_ERR_INVALID;
            if (*s == '.') {
                s++;
                while (*s >= '0' && *s <= '9')
                    s++;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return SIM_ERR_INVALID;
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            sign = *s++ == '-' ? -1 : 1;
            if (digits(&s, 2, &oh))
                return SIM_ERR_INVALID;
            if (*s == ':')
                s++;
            if (*s && digits(&s, 2, &om))
                return SIM_ERR_INVALID;
            if (oh > 23 || om > 59)
                return SIM_ERR_INVALID;
        }
    }
    if (*s)
        return SIM_ERR_INVALID;
    ts = (int64_t)gen_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    ts -= sign * (oh * 3600 + om * 60);
    *out = ts;
    return SIM_OK;
}

/* ------------------------------------------------------------------------ */
/* People */

int64_t gen_manager(int64_t index)
{
    return index <= 0 ? -1 : (index - 1) / 6;
}

/* Lifecycle dates shared by gen_person() and gen_modified_at(). */
struct life {
    int category; /* 0-99 */
    int hire;
    int64_t created_at;
    int64_t modified_at;
};

static void life_of(const struct gen_config *cfg, int64_t index, struct life *l)
{
    int64_t low, high;

    l->category = index == 0 ? 99 : (int)(H(K_CATEGORY) % 100);
    if (l->category < 3) {
        /* future hire: contract signed in the first half of 2026 */
        l->hire = D2028 + (int)(H(K_HIRE) % (3 * 365));
        l->created_at = ((int64_t)D2026 + (int64_t)(H(K_CREATED) % 180)) * 86400 + 9 * 3600;
    } else {
        l->hire = D2010 + (int)(H(K_HIRE) % (uint64_t)(D20260531 - D2010));
        l->created_at = ((int64_t)l->hire - 1 - (int64_t)(H(K_CREATED) % 60)) * 86400 + 9 * 3600;
    }
    low = l->created_at > (int64_t)D2024 * 86400 ? l->created_at : (int64_t)D2024 * 86400;
    high = (int64_t)GEN_ANCHOR_DAY * 86400 + 12 * 3600;
    l->modified_at = low + (int64_t)(H(K_MODIFIED) % (uint64_t)(high - low));
}

int64_t gen_modified_at(const struct gen_config *cfg, int64_t index)
{
    struct life l;

    life_of(cfg, index, &l);
    return l.modified_at;
}

enum gen_status gen_status_of(const struct gen_config *cfg, int64_t index)
{
    int category = index == 0 ? 99 : (int)(H(K_CATEGORY) % 100);

    return category < 3    ? GEN_ONBOARDING
           : category < 13 ? GEN_INACTIVE
           : category < 15 ? GEN_ACTIVE
           : category < 18 ? GEN_LEAVE
                           : GEN_ACTIVE;
}

void gen_person(const struct gen_config *cfg, int64_t index, uint32_t version, int64_t modified_at,
                struct gen_person *out)
{
    const struct name *first, *last;
    struct life l;
    uint64_t h;

    memset(out, 0, sizeof(*out));
    life_of(cfg, index, &l);
    out->index = index;
    out->version = version;

    h = H(K_GENDER) % 100;
    out->gender = h < 48 ? GEN_FEMALE : h < 96 ? GEN_MALE : GEN_DIVERSE;
    h = H(K_FIRST);
    if (out->gender == GEN_FEMALE || (out->gender == GEN_DIVERSE && (h & 1)))
        first = &female_names[(h >> 1) % COUNT(female_names)];
    else
        first = &male_names[(h >> 1) % COUNT(male_names)];
    last = &last_names[H(K_LAST) % COUNT(last_names)];
    out->first_name = first->display;
    out->last_name = last->display;
    snprintf(out->display_name, sizeof(out->display_name), "%s %s", first->display, last->display);
    snprintf(out->email, sizeof(out->email), "%s.%s%lld@acme.example", first->ascii, last->ascii,
             (long long)index + 1);
    snprintf(out->personal_email, sizeof(out->personal_email), "%s.%s.%lld@private.example",
             first->ascii, last->ascii, (long long)index + 1);
    snprintf(out->employee_number, sizeof(out->employee_number), "E-%05lld", (long long)index + 1);

    out->has_dob = H(K_DOB_NULL) % 100 >= 5;
    out->dob = D1960 + (int)(H(K_DOB) % (uint64_t)(D2003END - D1960));

    out->hire = l.hire;
    out->status = GEN_ACTIVE;
    if (l.category < 3) {
        out->status = GEN_ONBOARDING;
    } else if (l.category < 13) {
        int span = GEN_ANCHOR_DAY - l.hire - 31;

        out->has_term = 1;
        out->term = l.hire + 30 + (span > 0 ? (int)(H(K_TERM) % (uint64_t)span) : 0);
        if (out->term >= GEN_ANCHOR_DAY)
            out->term = GEN_ANCHOR_DAY - 1;
        out->status = GEN_INACTIVE;
    } else if (l.category < 15) {
        out->has_term = 1;
        out->term = D2028 + (int)(H(K_TERM) % 1000);
    } else if (l.category < 18) {
        out->status = GEN_LEAVE;
    }
    if (out->has_term) {
        h = H(K_REASON);
        out->term_reason = term_reasons[h % COUNT(term_reasons)];
        out->term_voluntary = (h % COUNT(term_reasons)) < 3;
    }

    out->manager = gen_manager(index);
    out->dept = index == 0 ? 5 : (int)(H(K_DEPT) % GEN_N_DEPARTMENTS);
    out->office = index == 0 ? 0 : (int)(H(K_OFFICE) % GEN_N_OFFICES);
    out->entity = office_entity[out->office];
    out->title_idx = index == 0
                         ? GEN_N_TITLES - 1
                         : out->dept * 3 + (int)(gen_hash(cfg->seed, (uint64_t)index,
                                                          K_TITLE + ((uint64_t)version << 32)) %
                                                 3);
    out->title = gen_titles[out->title_idx];

    h = H(K_ETYPE) % 100;
    out->emp_type = h < 80 ? GEN_FULL_TIME : h < 92 ? GEN_PART_TIME : GEN_CONTRACTOR;
    if (out->emp_type == GEN_PART_TIME) {
        static const int part[] = {20, 24, 30, 32};

        out->weekly_hours = part[H(K_HOURS) % 4];
    } else {
        out->weekly_hours = 40;
    }
    out->salary = 3000 + (int)(H(K_SALARY) % 120) * 50;
    out->created_at = l.created_at;
    out->modified_at = version > 0 && modified_at > 0 ? modified_at : l.modified_at;
}

/* ------------------------------------------------------------------------ */
/* Custom fields */

void gen_field(const struct gen_config *cfg, int k, struct gen_field *out)
{
    memset(out, 0, sizeof(*out));
    out->k = k;
    out->type = type_cycle[k % 7];
    if (k < 7) {
        snprintf(out->label, sizeof(out->label), "%s", fixed_labels[k]);
        snprintf(out->camel, sizeof(out->camel), "%s", fixed_camel[k]);
    } else {
        const char *w = type_words[out->type];

        snprintf(out->label, sizeof(out->label), "Custom %s %d", w, k + 1);
        snprintf(out->camel, sizeof(out->camel), "Custom%c%s%d", w[0] - 'a' + 'A', w + 1, k + 1);
    }
    if (out->type == GEN_F_SELECT)
        out->n_options = k == 0 ? 4 : 3 + (int)(gen_hash(cfg->seed, (uint64_t)k, K_FIELD_DEF) % 4);
    else if (out->type == GEN_F_MULTI)
        out->n_options = k == 1 ? 5 : 3 + (int)(gen_hash(cfg->seed, (uint64_t)k, K_FIELD_DEF) % 4);
}

void gen_option(const struct gen_field *f, int j, char *out, size_t outlen)
{
    if (f->k == 0)
        snprintf(out, outlen, "%s", shirt_sizes[j % 4]);
    else if (f->k == 1)
        snprintf(out, outlen, "%s", languages[j % 5]);
    else
        snprintf(out, outlen, "Option %d", j + 1);
}

void gen_field_value(const struct gen_config *cfg, const struct gen_person *p,
                     const struct gen_field *f, struct gen_value *out)
{
    uint64_t h = gen_hash(cfg->seed, (uint64_t)p->index,
                          ((uint64_t)p->version << 32) | (uint64_t)(K_FIELD + f->k));
    uint64_t v = h >> 8;

    memset(out, 0, sizeof(*out));
    out->is_null = h % 100 < 10;
    switch (f->type) {
    case GEN_F_TEXT:
        out->text = texts[v % COUNT(texts)];
        break;
    case GEN_F_NUMBER:
        out->centi = (int64_t)(v % 2000) * 5;
        break;
    case GEN_F_DATE:
        out->day = D2024 + (int)(v % 1500);
        break;
    case GEN_F_SELECT:
        out->option = (int)(v % (uint64_t)f->n_options);
        break;
    case GEN_F_MULTI:
        out->mask = 1 + (uint32_t)(v % ((1u << f->n_options) - 1));
        break;
    case GEN_F_BOOL:
        out->flag = (int)(v & 1);
        break;
    case GEN_F_MONEY:
        out->centi = 1000 + (int64_t)(v % 50000) * 10;
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Absences and balances */

void gen_absence(const struct gen_config *cfg, const struct gen_person *p, int slot,
                 struct gen_absence *out)
{
    int64_t index = p->index;
    uint64_t h = H(K_ABSENCE + slot);
    uint64_t t = h % 100;
    int from = p->hire > D2024 ? p->hire : D2024;
    int span = GEN_ANCHOR_DAY + 180 - from;

    memset(out, 0, sizeof(*out));
    out->person = p->index;
    out->slot = slot;
    out->type = t < 60 ? 0 : t < 85 ? 1 : t < 90 ? 2 : t < 95 ? 3 : 4;
    out->start = from + (span > 1 ? (int)((h >> 8) % (uint64_t)span) : 0);
    out->days = 1 + (int)((h >> 20) % 10);
    out->end = out->start + out->days - 1;
    out->half_start = (h >> 30) % 20 == 0;
    out->half_end = (h >> 35) % 20 == 0;
    t = (h >> 40) % 100;
    out->status = t < 80 ? "approved" : t < 95 ? "pending" : "rejected";
    out->created_at = ((int64_t)out->start - 7 - (int64_t)((h >> 45) % 50)) * 86400 + 8 * 3600 +
                      (int64_t)((h >> 50) % 3600);
    out->updated_at = out->created_at + (int64_t)((h >> 12) % 3) * 86400;
}

int64_t gen_balance(const struct gen_config *cfg, const struct gen_person *p, int t)
{
    int64_t index = p->index;

    if (t == 0)
        return 3000 - (int64_t)(H(K_BALANCE + t) % 50) * 50;
    if (t == 4)
        return 500 - (int64_t)(H(K_BALANCE + t) % 10) * 50;
    return 0;
}
