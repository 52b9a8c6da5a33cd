/* connector — the table of connectors by tool. */
#include "connectors/connector.h"

#include <string.h>

const struct connector *connector_find(const char *tool)
{
    static const struct connector *const all[] = {&connector_personio, &connector_bamboohr,
                                                  &connector_hibob, &connector_factorial};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(all[i]->tool, tool) == 0)
            return all[i];
    }
    return NULL;
}
