/* Toy fixture for migspec's checker tests. */
#include "lamp.h"
#include "trace.h"

const char *lamp_str(enum lamp_state s)
{
    switch (s) {
    case LAMP_BROKEN: return "BROKEN";
    case LAMP_OFF: return "OFF";
    case LAMP_ON: return "ON";
    case LAMP_DIMMED: return "DIMMED";
    default: return "?";
    }
}

bool lamp_is_lit(Lamp *l)
{
    return l->state != LAMP_OFF && l->state != LAMP_BROKEN;
}

static void lamp_set(Lamp *l, enum lamp_state s)
{
    l->state = s;
    trace_lamp_set(l->name, s);
}

static void lamp_go(Lamp *l, enum lamp_state s)
{
    lamp_set(l, s);
}

static void lamp_on(Lamp *l)
{
    lamp_go(l, LAMP_ON);
}

static void lamp_off(Lamp *l)
{
    lamp_set(l, LAMP_OFF);
}

static void lamp_dim(Lamp *l, int level)
{
    trace_lamp_dim(level);
    lamp_set(l, LAMP_DIMMED);
}

static const LampOps ops = {
    .switch_on = lamp_on,
    .switch_off = lamp_off,
};

void lamp_init(Lamp *l)
{
    lamp_register(l, lamp_dim);
}
