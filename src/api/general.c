/* general — check-api-key, tools and tool assets. */
#include "api/general.h"

#include "api/app.h"
#include "model/tools.h"

#include <stdio.h>
#include <string.h>

void general_check_api_key(struct req *rq, struct resp *rs)
{
    resp_success_take(rs, 200,
                      json_pack("{s:s, s:s}", "environment_id", rq->environment_id, "customer_id",
                                rq->environment_id));
}

json_t *general_asset_url(const struct req *rq, const char *tool, const char *file)
{
    char url[CONFIG_STR_MAX + 128];

    snprintf(url, sizeof(url), "%s/assets/tools/%s/%s", rq->app->public_url, tool, file);
    return json_string(url);
}

static json_t *coverage_json(const struct tool_def *t)
{
    json_t *models = json_array();

    for (int m = 0; m < MODEL_COUNT; m++) {
        const struct model_def *md = models_get((enum model)m);
        const char *cov = tools_coverage_name(t->coverage[m]);
        json_t *fields = json_array();

        for (const char *const *f = md->fields; *f; f++)
            json_array_append_new(fields,
                                  json_pack("{s:s, s:s}", "id", *f, "coverage_status", cov));
        json_array_append_new(models,
                              json_pack("{s:s, s:s, s:s, s:o}", "id", md->id, "label", md->label,
                                        "coverage_status", cov, "fields", fields));
    }
    return json_pack("{s:o, s:[], s:[]}", "read_models", models, "write_actions", "features");
}

void general_tools(struct req *rq, struct resp *rs)
{
    static const char *const categories[] = {"hris", "ats", "assessment", "lms"};
    const char *category = rq->params[0];
    json_t *list = json_array();
    size_t n = 0, i;
    const struct tool_def *tools = tools_all(&n);
    int known = 0;

    for (i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
        known |= strcmp(categories[i], category) == 0;
    if (!known) {
        json_decref(list);
        resp_error(rs, HE_INPUT_INVALID,
                   "category must be one of hris, ats, assessment, lms; got \"%.64s\"", category);
        return;
    }
    /* hrbridge connects HR systems only: other categories have no tools. */
    for (i = 0; strcmp(category, "hris") == 0 && i < n; i++) {
        const struct tool_def *t = &tools[i];
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:n, s:{s:o, s:o, s:o}, s:n, s:n, s:n, s:s, s:o}", "id",
                            t->id, "label", t->label, "internal_label", "assets", "logo_url",
                            general_asset_url(rq, t->id, "logo.svg"), "icon_url",
                            general_asset_url(rq, t->id, "icon.svg"), "icon_black_url",
                            general_asset_url(rq, t->id, "icon-black.svg"),
                            "paid_api_details_markdown", "fast_track_details_markdown",
                            "partner_only_details_markdown", "connection_guide_url",
                            t->connection_guide_url, "coverage", coverage_json(t)));
    }
    resp_success_take(rs, 200, json_pack("{s:o}", "tools", list));
}

void general_tool_asset(struct req *rq, struct resp *rs)
{
    const struct tool_def *t = tools_find(rq->params[0]);
    const char *file = rq->params[1];
    const char *color = strcmp(file, "icon-black.svg") == 0 ? "#000000" : "#2f6fde";
    char svg[1024];
    int n;

    if (!t ||
        (strcmp(file, "logo.svg") && strcmp(file, "icon.svg") && strcmp(file, "icon-black.svg"))) {
        resp_error(rs, HE_NOT_FOUND, "no such asset");
        return;
    }
    /* A plain generated mark: the tool's initial (icons) or its name (logo). */
    if (strcmp(file, "logo.svg") == 0)
        n = snprintf(svg, sizeof(svg),
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"40\">"
                     "<text x=\"0\" y=\"28\" font-family=\"sans-serif\" font-size=\"24\" "
                     "fill=\"%s\">%s</text></svg>",
                     color, t->label);
    else
        n = snprintf(svg, sizeof(svg),
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\">"
                     "<rect width=\"40\" height=\"40\" rx=\"8\" fill=\"%s\"/>"
                     "<text x=\"20\" y=\"28\" text-anchor=\"middle\" font-family=\"sans-serif\" "
                     "font-size=\"22\" fill=\"#ffffff\">%c</text></svg>",
                     color, t->label[0]);
    resp_raw(rs, 200, "image/svg+xml", svg, (size_t)n);
}
